using System.Text.RegularExpressions;
using Yardmaster.Core.Pipelines;

namespace Yardmaster.Runtime.Pipelines;

/// <summary>
/// Expands a <c>map:</c> into its items when its step becomes ready: the listed items, the non-empty lines of a file,
/// or the files matching a glob (paths relative to the run's working directory, in ordinal order). Refusals are values.
/// </summary>
internal static class MapItems
{
    public static (IReadOnlyList<string>? Items, string? Error) Expand(MapSpec map, string workingDirectory)
    {
        try
        {
            var items = map.Items ?? (map.Lines is { } lines ? Lines(Path.Combine(workingDirectory, lines), lines) : Files(workingDirectory, map.Files!));
            if (items.Count == 0)
            {
                return (null, map.Lines is not null ? $"map: {map.Lines} has no items (no non-empty line)" : $"map: no file matches {map.Files}");
            }

            if (items.Count > MapSpec.MaxItems)
            {
                return (null, $"map: {items.Count} items; at most {MapSpec.MaxItems}");
            }

            var nul = items.ToList().FindIndex(i => i.Contains('\0', StringComparison.Ordinal));
            return nul >= 0 ? (null, $"map: item {nul} contains a NUL character, which $YARD_ITEM cannot hold") : (items, null);
        }
        catch (IOException e)
        {
            return (null, $"map: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            return (null, $"map: {e.Message}");
        }
    }

    private static List<string> Lines(string path, string name)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"the items file '{name}' does not exist in the run's working directory");
        }

        var items = new List<string>();
        foreach (var line in File.ReadLines(path))
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                items.Add(line.TrimEnd('\r'));
            }

            if (items.Count > MapSpec.MaxItems)
            {
                break;
            }
        }

        return items;
    }

    private static List<string> Files(string workingDirectory, string glob)
    {
        var pattern = new Regex("^" + Translate(glob.Replace('\\', '/')) + "$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        var root = Path.GetFullPath(workingDirectory);
        var options = new EnumerationOptions { RecurseSubdirectories = glob.Contains('/', StringComparison.Ordinal), AttributesToSkip = 0, IgnoreInaccessible = true };
        var found = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*", options))
        {
            var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            if (!relative.StartsWith(StepOutputs.Folder + "/", StringComparison.Ordinal) && pattern.IsMatch(relative))
            {
                found.Add(relative);
            }
        }

        found.Sort(StringComparer.Ordinal);
        return found;
    }

    /// <summary><c>**/</c> any folders (or none), <c>**</c> anything, <c>*</c> within a name, <c>?</c> one character of a name.</summary>
    private static string Translate(string glob)
    {
        var regex = new System.Text.StringBuilder();
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            if (c == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                var slash = i + 2 < glob.Length && glob[i + 2] == '/';
                regex.Append(slash ? "(?:.*/)?" : ".*");
                i += slash ? 2 : 1;
            }
            else
            {
                regex.Append(c switch { '*' => "[^/]*", '?' => "[^/]", _ => Regex.Escape(c.ToString()) });
            }
        }

        return regex.ToString();
    }
}
