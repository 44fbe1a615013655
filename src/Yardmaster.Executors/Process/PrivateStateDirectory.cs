using System.Runtime.InteropServices;

namespace Yardmaster.Executors.Process;

/// <summary>
/// Makes the process executor's state folder private (<see cref="ProcessExecutorOptions.StateDirectory"/>, e.g.
/// <c>/dev/shm/yardmaster-USER</c>, in a folder every user can write): created 0700; an existing one must be a real
/// folder (not a symbolic link) owned by this user, and is made 0700 when group or others could reach it. Another user
/// who owned it could read the steps' pid files or plant status files that decide a step's outcome.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public static class PrivateStateDirectory
{
    private const int TypeMask = 0xF000;
    private const int TypeDirectory = 0x4000;
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates or checks <paramref name="path"/>; null when it is ready, else why it cannot be used (for the operator).</summary>
    public static string? Prepare(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            Directory.CreateDirectory(path, OwnerOnly);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot create the process executor's state folder {path}: {e.Message}";
        }

        if (UnixFileStatus.Of(path, followLinks: false) is not var (uid, mode))
        {
            return $"cannot read the owner of the process executor's state folder {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}";
        }

        if ((mode & TypeMask) != TypeDirectory)
        {
            return $"the process executor's state folder {path} is not a folder (a symbolic link or a file?); remove it and start again";
        }

        var me = UnixFileStatus.CurrentUser;
        if (uid != me)
        {
            return $"the process executor's state folder {path} belongs to uid {uid}, not to this user (uid {me}): another user could read or forge the steps' pid and status files; remove it (as its owner or root) and start again";
        }

        if ((mode & 0x3F) != 0)
        {
            // Ours but open to the group or others (made by hand, or by an older version): close it.
            File.SetUnixFileMode(path, OwnerOnly);
        }

        return null;
    }
}
