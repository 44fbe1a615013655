using Yardmaster.Executors.Process;

namespace Yardmaster.Executors.Tests.Process;

/// <summary>A pidfd on any process (not necessarily a child): readable once it has exited, zombie or not.</summary>
internal sealed unsafe class PidWatch : IDisposable
{
    private readonly int _fd;

    private PidWatch(int fd) => _fd = fd;

    public static PidWatch Open(int pid)
    {
        var fd = LibC.PidfdOpen(pid);
        Assert.True(fd >= 0, $"pid {pid} is not running");
        return new PidWatch(fd);
    }

    /// <summary>Blocks until the process has exited or <paramref name="timeout"/> passed; true when it exited.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        var poll = new LibC.PollFd { Fd = _fd, Events = LibC.POLLIN };
        return LibC.poll(&poll, 1, (int)timeout.TotalMilliseconds) == 1;
    }

    public void Dispose() => LibC.close(_fd);
}
