using System.Runtime.InteropServices;

namespace Yardmaster.Server.Backends;

/// <summary>POSIX signals, which <see cref="System.Diagnostics.Process"/> cannot send except SIGKILL.</summary>
internal static partial class Signals
{
    public const int SigTerm = 15;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false when it is gone.</summary>
    public static bool Send(int pid, int signal) => OperatingSystem.IsWindows() ? false : Kill(pid, signal) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
