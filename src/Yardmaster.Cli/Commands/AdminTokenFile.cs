namespace Yardmaster.Cli.Commands;

/// <summary>
/// The admin token a local <c>yard serve</c> keeps in its data folder (<c>admin.token</c>, one line, mode 0600).
/// The CLI reads it for a server on loopback when no admin key is given, as ssh reads a private key: only when
/// the file belongs to the current user and no one else may read or write it.
/// </summary>
internal static class AdminTokenFile
{
    /// <summary>The file's name inside the data folder.</summary>
    public const string FileName = "admin.token";

    /// <summary>
    /// The key in <paramref name="dataDirectory"/>'s token file; null when there is none, or when it is ignored
    /// (another owner, readable by group or others, empty), in which case one line on <paramref name="warnings"/> says why.
    /// </summary>
    public static ServerKey? Read(string dataDirectory, TextWriter warnings)
    {
        ArgumentNullException.ThrowIfNull(warnings);
        var path = PathIn(dataDirectory);
        if (!File.Exists(path))
        {
            return null;
        }

        if (Refusal(path) is { } why)
        {
            warnings.WriteLine($"warning: ignoring {path}: {why}");
            return null;
        }

        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            warnings.WriteLine($"warning: ignoring {path}: {e.Message}");
            return null;
        }

        if (text.Length == 0 || text.Contains('\n', StringComparison.Ordinal))
        {
            warnings.WriteLine($"warning: ignoring {path}: it must hold the token as one line of text");
            return null;
        }

        return new ServerKey(text, "the token file " + path);
    }

    /// <summary>The token file's full path in <paramref name="dataDirectory"/>.</summary>
    public static string PathIn(string dataDirectory) => Path.Combine(Path.GetFullPath(dataDirectory), FileName);

    private static string? Refusal(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        if (Executors.Process.UnixFileStatus.Of(path, followLinks: true) is var (owner, _) && owner != Executors.Process.UnixFileStatus.CurrentUser)
        {
            return $"it belongs to uid {owner}, not to you (uid {Executors.Process.UnixFileStatus.CurrentUser})";
        }

        var mode = File.GetUnixFileMode(path);
        const UnixFileMode Others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        return (mode & Others) != 0
            ? $"it is readable or writable by group or others (mode {Convert.ToString((int)mode & 0x1FF, 8).PadLeft(4, '0')}); run 'chmod 600 {path}'"
            : null;
    }
}
