using System.Runtime.InteropServices;

namespace Yardmaster.Server.Tests.Cluster;

/// <summary>One real <c>yard serve</c> child process of a <see cref="ServeCluster"/>: its URL, its instance id, and signals.</summary>
public sealed partial class ServeInstance(YardProcess process, string url, string id) : IAsyncDisposable
{
    private const int SigKill = 9;
    private const int SigCont = 18;
    private const int SigStop = 19;

    /// <summary>Where its API answers.</summary>
    public string Url { get; } = url;

    /// <summary>Its instance id, as <c>GET /api/cluster</c> names it (<c>self</c>).</summary>
    public string Id { get; } = id;

    /// <summary>What it printed so far.</summary>
    public string Output => process.Stdout + process.Stderr;

    /// <summary>SIGKILL, then waits for the process to be gone.</summary>
    public async Task KillAsync()
    {
        Signal(SigKill);
        await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>SIGSTOP: the process stays, frozen (its sockets accept connections nobody answers).</summary>
    public void Pause() => Signal(SigStop);

    /// <summary>SIGCONT after <see cref="Pause"/>.</summary>
    public void Resume() => Signal(SigCont);

    /// <summary>SIGTERM (after SIGCONT, in case it is paused) and waits: a clean stop resigns the lease. A process already gone is fine.</summary>
    public async Task StopAsync()
    {
        _ = Kill(process.Id, SigCont);
        await process.TerminateAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        _ = Kill(process.Id, SigCont);
        await process.DisposeAsync();
    }

    private void Signal(int signal)
    {
        if (Kill(process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
