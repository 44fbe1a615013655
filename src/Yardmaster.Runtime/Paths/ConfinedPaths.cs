namespace Yardmaster.Runtime.Paths;

/// <summary>
/// Whether a path a user names stays inside the folders they may use, with symbolic links resolved as the kernel
/// resolves them (a link inside an allowed folder that points outside it is outside; "a/link/../b" follows the link
/// before going up). Reads the file system (links); stateless and thread-safe.
/// </summary>
public static class ConfinedPaths
{
    /// <summary>Links followed at most while resolving one path (Linux gives up at 40 too).</summary>
    private const int MaxLinks = 40;

    /// <summary>
    /// The absolute path with every symbolic link among its existing components resolved and <c>.</c>, <c>..</c>
    /// applied in order; components that do not exist yet (an output to be written) are kept as they are.
    /// A relative <paramref name="path"/> is taken against <paramref name="baseDirectory"/> (default: the current one).
    /// </summary>
    /// <exception cref="IOException">The path has a symbolic link loop.</exception>
    public static string Resolve(string path, string? baseDirectory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var absolute = Path.IsPathRooted(path) ? path : Path.Join(baseDirectory ?? Environment.CurrentDirectory, path);
        var pending = new Stack<string>(Parts(absolute).Reverse());
        var current = "/";
        var links = 0;
        while (pending.TryPop(out var part))
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? "/";
                continue;
            }

            var next = Path.Join(current, part);
            if (LinkTarget(next) is not { } target)
            {
                current = next;
                continue;
            }

            if (++links > MaxLinks)
            {
                throw new IOException($"too many levels of symbolic links in '{path}'");
            }

            foreach (var p in Parts(target).Reverse())
            {
                pending.Push(p);
            }

            if (Path.IsPathRooted(target))
            {
                current = "/";
            }
        }

        return current;
    }

    /// <summary>
    /// The resolved path when it is one of <paramref name="roots"/> or inside one (each root resolved too); null when
    /// it is outside them all, or cannot be resolved (a link loop).
    /// </summary>
    public static string? Within(string path, IEnumerable<string> roots, string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(roots);
        try
        {
            var resolved = Resolve(path, baseDirectory);
            foreach (var root in roots)
            {
                var r = Resolve(root);
                if (resolved == r || resolved.StartsWith(r.EndsWith('/') ? r : r + "/", StringComparison.Ordinal))
                {
                    return resolved;
                }
            }
        }
        catch (IOException)
        {
            // A loop: never inside.
        }

        return null;
    }

    private static string[] Parts(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);

    private static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
