using System.Runtime.InteropServices;

namespace Yardmaster.Executors.Process;

/// <summary>
/// One thread that waits, with <c>poll()</c>, on the pidfds of every watched process plus an eventfd that
/// wakes it when one is added, and calls a watch's callback once its process has exited. It never calls
/// <c>waitpid(-1)</c>, so children that other code (System.Diagnostics.Process) started keep their statuses.
/// </summary>
/// <remarks>Thread-safe. Callbacks run on the reaper thread and must be short and must not throw.</remarks>
internal sealed unsafe class ChildReaper
{
    private static readonly Lazy<ChildReaper> s_shared = new(() => new ChildReaper());

    private readonly Lock _gate = new();
    private readonly List<(int Fd, Action OnExit)> _added = []; // guarded by _gate; moved to the thread's list on each wake
    private readonly int _wakeFd;

    private ChildReaper()
    {
        _wakeFd = LibC.eventfd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        if (_wakeFd < 0)
        {
            throw new InvalidOperationException($"eventfd failed: {Marshal.GetLastPInvokeErrorMessage()}");
        }

        new Thread(Run) { IsBackground = true, Name = "yard-reaper" }.Start();
    }

    /// <summary>The process-wide reaper (one thread for every executor instance).</summary>
    public static ChildReaper Shared => s_shared.Value;

    /// <summary>
    /// Watches <paramref name="pidfd"/>, which it then owns and closes, and calls <paramref name="onExit"/> once
    /// when its process has exited (for a child: it is a zombie until the callback reaps it).
    /// </summary>
    public void Watch(int pidfd, Action onExit)
    {
        lock (_gate)
        {
            _added.Add((pidfd, onExit));
        }

        ulong one = 1;
        LibC.write(_wakeFd, &one, sizeof(ulong));
    }

    private void Run()
    {
        var watched = new List<(int Fd, Action OnExit)>();
        var fds = new LibC.PollFd[64];
        while (true)
        {
            lock (_gate)
            {
                watched.AddRange(_added);
                _added.Clear();
            }

            if (fds.Length < watched.Count + 1)
            {
                fds = new LibC.PollFd[Math.Max(fds.Length * 2, watched.Count + 1)];
            }

            fds[0] = new LibC.PollFd { Fd = _wakeFd, Events = LibC.POLLIN };
            for (var i = 0; i < watched.Count; i++)
            {
                fds[i + 1] = new LibC.PollFd { Fd = watched[i].Fd, Events = LibC.POLLIN };
            }

            int ready;
            fixed (LibC.PollFd* pollFds = fds)
            {
                ready = LibC.poll(pollFds, (nuint)(watched.Count + 1), -1);
            }

            if (ready <= 0)
            {
                continue; // EINTR
            }

            if (fds[0].Revents != 0)
            {
                ulong count;
                LibC.read(_wakeFd, &count, sizeof(ulong));
            }

            // Backwards, so that removing by moving the last entry into the hole keeps the rest of fds in step.
            for (var i = watched.Count - 1; i >= 0; i--)
            {
                if (fds[i + 1].Revents == 0)
                {
                    continue;
                }

                var (fd, onExit) = watched[i];
                watched[i] = watched[^1];
                watched.RemoveAt(watched.Count - 1);
                try
                {
                    onExit();
                }
#pragma warning disable CA1031 // This thread must survive anything one callback does, or every later attempt hangs.
                catch (Exception)
#pragma warning restore CA1031
                {
                    // The callbacks catch what they expect; an attempt whose callback failed stays unfinished.
                }

                LibC.close(fd);
            }
        }
    }
}
