using System.Diagnostics;
using k8s.Models;

namespace Yardmaster.Tests.Kubernetes;

/// <summary>One pod of the stand-in: its object, its log (with the time of each piece, for <c>sinceSeconds</c>), and the process the stand-in's kubelet runs for it.</summary>
public sealed class StandInPod(V1Pod pod, string jobName) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<(DateTimeOffset At, string Text)> _log = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private System.Diagnostics.Process? _process;
    private bool _ended;

    public V1Pod Pod { get; } = pod;

    public string JobName { get; } = jobName;

    /// <summary>The container has started (its log can be read).</summary>
    public bool Started { get; set; }

    /// <summary>The container has ended (a follow of its log ends once it is sent).</summary>
    public bool Ended
    {
        get
        {
            lock (_gate)
            {
                return _ended;
            }
        }

        set
        {
            lock (_gate)
            {
                _ended = value;
                Pulse();
            }
        }
    }

    /// <summary>Completes when the log grows or the container ends.</summary>
    public Task Changed
    {
        get
        {
            lock (_gate)
            {
                return _changed.Task;
            }
        }
    }

    public void Append(string text)
    {
        lock (_gate)
        {
            _log.Add((DateTimeOffset.UtcNow, text));
            Pulse();
        }
    }

    /// <summary>The log pieces from index <paramref name="from"/> written at or after <paramref name="since"/>, and the index after them.</summary>
    public (string Text, int Next, bool Ended) Read(int from, DateTimeOffset since)
    {
        lock (_gate)
        {
            var text = string.Concat(_log.Skip(from).Where(e => e.At >= since).Select(e => e.Text));
            return (text, _log.Count, _ended);
        }
    }

    /// <summary>Runs the container's command and args on this machine with its environment; its output is the log; returns its exit status.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var container = Pod.Spec.Containers[0];
        var argv = (container.Command ?? []).Concat(container.Args ?? []).ToList();
        var start = new ProcessStartInfo(argv[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in argv.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var env in container.Env ?? [])
        {
            start.Environment[env.Name] = env.Value;
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        lock (_gate)
        {
            _process = process;
        }

        var stdout = CopyAsync(process.StandardOutput, cancellationToken);
        var stderr = CopyAsync(process.StandardError, cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        await Task.WhenAll(stdout, stderr);
        return process.ExitCode;
    }

    /// <summary>Kills the process, if one runs.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            try
            {
                _process?.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }
        }
    }

    public void Dispose() => Stop();

    private async Task CopyAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer, cancellationToken)) > 0)
        {
            Append(new string(buffer, 0, read));
        }
    }

    private void Pulse()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.SetResult();
    }
}
