namespace Yardmaster.Executors.Process;

/// <summary>
/// Who owns a path and what its mode is (Linux <c>statx</c>, whose <c>struct statx</c> has the same layout on every
/// architecture), and who this process is: for the checks that refuse a file or folder another user could have
/// planted or read (the process executor's state folder, the CLI's admin token file).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public static class UnixFileStatus
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;

    /// <summary>The effective uid of this process.</summary>
    public static uint CurrentUser => LibC.geteuid();

    /// <summary>
    /// The owner's uid and the <c>st_mode</c> bits (type and permissions) of <paramref name="path"/>; null when it
    /// cannot be read (missing, no permission, no <c>statx</c> in this libc). A symbolic link is described itself
    /// unless <paramref name="followLinks"/>.
    /// </summary>
    public static unsafe (uint Uid, int Mode)? Of(string path, bool followLinks)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var buffer = stackalloc byte[256];
        try
        {
            return LibC.statx(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, StatxBasicStats, buffer) == 0
                ? (*(uint*)(buffer + 20), *(ushort*)(buffer + 28))
                : null;
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
    }
}
