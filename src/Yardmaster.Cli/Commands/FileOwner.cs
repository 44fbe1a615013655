using System.Runtime.InteropServices;

namespace Yardmaster.Cli.Commands;

/// <summary>Who owns a file and who we are (Linux <c>statx</c>, whose layout is the same on every architecture).</summary>
internal static partial class FileOwner
{
    private const int AtFdCwd = -100;
    private const uint StatxUid = 0x8;
    private const int StatxSize = 256;
    private const int UidOffset = 20;

    /// <summary>The effective uid of this process.</summary>
    public static uint Current => GetEUid();

    /// <summary>The owner's uid of <paramref name="path"/> (symlinks followed); null when it cannot be told (not Linux, an old libc, an error).</summary>
    public static unsafe uint? Of(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var buffer = stackalloc byte[StatxSize];
        try
        {
            return Statx(AtFdCwd, path, 0, StatxUid, buffer) == 0 ? *(uint*)(buffer + UidOffset) : null;
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEUid();
}
