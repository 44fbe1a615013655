using Yardmaster.Core.Configuration;

namespace Yardmaster.Runtime.Configuration;

/// <summary>What the YAML loaders share around the parsing: reading the file, and which later errors a reader error already covers.</summary>
internal static class ConfigFile
{
    /// <summary>The file's text, or the error saying why it cannot be had (missing, unreadable).</summary>
    public static string? TryRead(string path, out ConfigError? error)
    {
        try
        {
            error = null;
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or System.Security.SecurityException)
        {
            var reason = e is FileNotFoundException or DirectoryNotFoundException ? "the file does not exist" : "the file cannot be read: " + e.Message;
            error = new ConfigError(string.Empty, reason) { File = path };
            return null;
        }
    }

    /// <summary>True when <paramref name="field"/> is <paramref name="rejected"/> or inside it (<c>a.b</c>, <c>a[0]</c>): a field the reader already rejected kept its default, which the validator must not report again.</summary>
    public static bool Within(string field, string rejected) =>
        field == rejected || (field.StartsWith(rejected, StringComparison.Ordinal) && field.Length > rejected.Length && field[rejected.Length] is '.' or '[');

    /// <summary>
    /// True when <paramref name="field"/> is within any of <paramref name="rejected"/> (see <see cref="Within"/>), in
    /// time linear in the field's length: a file with thousands of errors must not compare every pair.
    /// </summary>
    public static bool WithinAny(string field, IReadOnlySet<string> rejected)
    {
        if (rejected.Contains(field))
        {
            return true;
        }

        for (var i = field.Length - 1; i > 0; i--)
        {
            if (field[i] is '.' or '[' && rejected.Contains(field[..i]))
            {
                return true;
            }
        }

        return false;
    }
}
