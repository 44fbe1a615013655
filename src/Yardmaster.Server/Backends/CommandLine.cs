using System.Globalization;
using System.Text;
using Yardmaster.Core.Configuration;

namespace Yardmaster.Server.Backends;

/// <summary>Turns a process backend's <c>command</c> into an argument vector: shell-like quoting, placeholders substituted per argument (so paths with spaces stay one argument), no shell.</summary>
internal static class CommandLine
{
    public static IReadOnlyList<string> Expand(ModelDefinition model, int port, IReadOnlyList<string> yard)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["{path}"] = model.Path ?? string.Empty,
            ["{port}"] = port.ToString(CultureInfo.InvariantCulture),
            ["{slots}"] = model.Slots.ToString(CultureInfo.InvariantCulture),
            ["{threads}"] = (model.Threads ?? Environment.ProcessorCount).ToString(CultureInfo.InvariantCulture),
            ["{context}"] = (model.Context ?? 2048).ToString(CultureInfo.InvariantCulture),
            ["{name}"] = model.Name,
        };
        var args = new List<string>();
        foreach (var word in Split(model.Command ?? string.Empty))
        {
            var arg = word;
            foreach (var (key, value) in values)
            {
                arg = arg.Replace(key, value, StringComparison.Ordinal);
            }

            args.Add(arg);
        }

        if (args.Count > 0 && args[0] == "yard")
        {
            args.RemoveAt(0);
            args.InsertRange(0, yard);
        }

        return args;
    }

    public static IEnumerable<string> Split(string command)
    {
        var current = new StringBuilder();
        var inWord = false;
        char? quote = null;
        foreach (var c in command)
        {
            if (quote is { } q)
            {
                if (c == q)
                {
                    quote = null;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    yield return current.ToString();
                    current.Clear();
                    inWord = false;
                }
            }
            else
            {
                current.Append(c);
                inWord = true;
            }
        }

        if (inWord)
        {
            yield return current.ToString();
        }
    }

    /// <summary>How to start this very program: <c>dotnet yard.dll</c> or the apphost.</summary>
    public static IReadOnlyList<string> CurrentYard()
    {
        var process = Environment.ProcessPath ?? "yard";
        var entry = System.Reflection.Assembly.GetEntryAssembly()?.Location;
        return Path.GetFileNameWithoutExtension(process) == "dotnet" && entry is { Length: > 0 } ? [process, entry] : [process];
    }
}
