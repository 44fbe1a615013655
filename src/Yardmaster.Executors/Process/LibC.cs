using System.Runtime.InteropServices;

namespace Yardmaster.Executors.Process;

/// <summary>The libc calls the process executor needs (Linux x86-64/arm64, glibc). Errors are read with <see cref="Marshal.GetLastPInvokeError"/>.</summary>
internal static unsafe partial class LibC
{
    private const string Lib = "libc";

    public const int EINTR = 4;
    public const int ESRCH = 3;
    public const int ECHILD = 10;
    public const int SIGTERM = 15;
    public const int SIGKILL = 9;
    public const int WNOHANG = 1;
    public const short POLLIN = 0x1;
    public const int O_RDONLY = 0;
    public const int O_WRONLY = 0x1;
    public const int O_CREAT = 0x40;
    public const int O_APPEND = 0x400;
    public const short POSIX_SPAWN_SETPGROUP = 0x02;
    public const short POSIX_SPAWN_SETSIGDEF = 0x04;
    public const short POSIX_SPAWN_SETSIGMASK = 0x08;
    public const int EFD_CLOEXEC = 0x80000;
    public const int EFD_NONBLOCK = 0x800;

    /// <summary><c>SYS_pidfd_open</c>: the same number on every architecture (new syscalls share one table).</summary>
    public const long SYS_pidfd_open = 434;

    /// <summary>Bytes reserved for <c>posix_spawnattr_t</c> (336 on glibc x86-64), <c>posix_spawn_file_actions_t</c> (80) and <c>sigset_t</c> (128).</summary>
    public const int OpaqueSize = 512;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int posix_spawn(out int pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);

    [LibraryImport(Lib)]
    public static partial int posix_spawn_file_actions_init(void* fileActions);

    [LibraryImport(Lib)]
    public static partial int posix_spawn_file_actions_destroy(void* fileActions);

    [LibraryImport(Lib)]
    public static partial int posix_spawn_file_actions_addopen(void* fileActions, int fd, byte* path, int oflag, int mode);

    [LibraryImport(Lib)]
    public static partial int posix_spawn_file_actions_adddup2(void* fileActions, int fd, int newFd);

    [LibraryImport(Lib)]
    public static partial int posix_spawn_file_actions_addchdir_np(void* fileActions, byte* path);

    [LibraryImport(Lib)]
    public static partial int posix_spawnattr_init(void* attr);

    [LibraryImport(Lib)]
    public static partial int posix_spawnattr_destroy(void* attr);

    [LibraryImport(Lib)]
    public static partial int posix_spawnattr_setflags(void* attr, short flags);

    [LibraryImport(Lib)]
    public static partial int posix_spawnattr_setpgroup(void* attr, int pgroup);

    [LibraryImport(Lib)]
    public static partial int posix_spawnattr_setsigmask(void* attr, void* sigmask);

    [LibraryImport(Lib)]
    public static partial int posix_spawnattr_setsigdefault(void* attr, void* sigdefault);

    [LibraryImport(Lib)]
    public static partial int sigemptyset(void* set);

    [LibraryImport(Lib)]
    public static partial int sigfillset(void* set);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial long syscall(long number, int pid, uint flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int waitpid(int pid, out int status, int options);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int kill(int pid, int signal);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int eventfd(uint initial, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint read(int fd, void* buffer, nuint count);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint write(int fd, void* buffer, nuint count);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int close(int fd);

    /// <summary><c>statx</c> into a 256-byte <c>struct statx</c> (the same layout on every architecture: uid at byte 20, mode at 28).</summary>
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport(Lib)]
    public static partial uint geteuid();

    /// <summary>A pidfd (close-on-exec) for <paramref name="pid"/>, or -1 when it does not exist.</summary>
    public static int PidfdOpen(int pid) => (int)syscall(SYS_pidfd_open, pid, 0);
}
