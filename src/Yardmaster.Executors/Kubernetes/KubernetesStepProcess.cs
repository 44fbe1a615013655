using System.Globalization;
using System.Net;
using System.Text;
using k8s;
using k8s.Models;
using Yardmaster.Core.Execution;

namespace Yardmaster.Executors.Kubernetes;

/// <summary>
/// One attempt's Job, watched in the background: the Job is read again on every event of a watch on it (and every
/// <see cref="KubernetesExecutorOptions.PollInterval"/> when the watch is quiet), its pod's log is followed into the
/// step log once the container has started, and when the Job has ended its outcome is recorded in the attempt
/// directory and only then <see cref="Exited"/> completed. The pod's IP (<c>status.podIP</c>) is its address
/// (<see cref="AddressAsync"/>), where a model server it runs listens. Thread-safe.
/// </summary>
internal sealed class KubernetesStepProcess : IStepProcess, IAddressedProcess
{
    private readonly KubernetesConnection _api;
    private readonly StepLaunch _launch;
    private readonly KubernetesExecutorOptions _options;
    private readonly TimeProvider _time;
    private readonly string _name;
    private readonly string _namespace;
    private readonly string _selector;
    private readonly DateTimeOffset? _logsSince;
    private readonly CancellationTokenSource _watching = new();
    private readonly CancellationTokenSource _logCut = new();
    private readonly TaskCompletionSource<StepExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string?> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _watch;
    private Task? _logs;
    private string? _waitingNoted;
    private long _stopDeadlineTicks; // UTC ticks; 0 until a stop was asked for. Written by StopAsync, read by the watch.
    private int _disposed;

    private KubernetesStepProcess(KubernetesConnection api, StepLaunch launch, KubernetesExecutorOptions options, TimeProvider time, string name, DateTimeOffset? logsSince)
    {
        _api = api;
        _launch = launch;
        _options = options;
        _time = time;
        _name = name;
        _namespace = options.Settings.Namespace;
        _selector = $"{KubernetesNames.AttemptIdLabel}={KubernetesNames.LabelValue(launch.AttemptId)}";
        _logsSince = logsSince;
        Locator = $"job {_namespace}/{name}";
        _watch = Task.Run(WatchAsync);
    }

    public string Locator { get; }

    public Task<StepExit> Exited => _exited.Task;

    /// <summary>
    /// The pod's <c>status.podIP</c>, once the cluster has given it one: the watch notes it on each look at the pod, and
    /// while it is unknown the pod is also read every <see cref="KubernetesExecutorOptions.AddressPollInterval"/> (a pod
    /// gets its IP without a change to the Job). Null when the watch ended first (the Job ended or is gone, or the
    /// handle was disposed).
    /// </summary>
    public async Task<string?> AddressAsync(CancellationToken cancellationToken)
    {
        while (!_address.Task.IsCompleted)
        {
            try
            {
                var pods = await _api.Client.CoreV1.ListNamespacedPodAsync(_namespace, labelSelector: _selector, cancellationToken: cancellationToken);
                NoteAddress(Newest(pods));
            }
            catch (Exception e) when ((KubernetesConnection.IsApiFailure(e) || e is ObjectDisposedException) && !cancellationToken.IsCancellationRequested)
            {
                // The watch counts API failures and reports the attempt lost after LostAfter; until then, ask again.
            }

            if (!_address.Task.IsCompleted)
            {
                await Task.WhenAny(_address.Task, Task.Delay(_options.AddressPollInterval, _time, cancellationToken));
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        return await _address.Task;
    }

    /// <summary>Watches the created (or found) Job <paramref name="name"/>; its pod's log from <paramref name="logsSince"/> (null: from the start) goes to the step log.</summary>
    public static KubernetesStepProcess Watch(KubernetesConnection api, StepLaunch launch, KubernetesExecutorOptions options, TimeProvider time, string name, DateTimeOffset? logsSince) =>
        new(api, launch, options, time, name, logsSince);

    /// <summary>
    /// Deletes the Job (foreground propagation: it goes only after its pod) and its pod with a grace period of
    /// <paramref name="grace"/> rounded up to whole seconds (the kubelet sends SIGTERM, then SIGKILL after it), then
    /// waits for <see cref="Exited"/>, which completes once the Job, and so the pod, is gone. Idempotent; a no-op once
    /// ended. An API failure here is reported by <see cref="Exited"/>.
    /// </summary>
    public async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        if (_exited.Task.IsCompleted)
        {
            return;
        }

        var seconds = (long)Math.Ceiling(Math.Max(0, grace.TotalSeconds));
        Interlocked.CompareExchange(ref _stopDeadlineTicks, (_time.GetUtcNow() + TimeSpan.FromSeconds(seconds) + _options.StopMargin).UtcTicks, 0);
        try
        {
            await _api.Client.BatchV1.DeleteNamespacedJobAsync(_name, _namespace, new V1DeleteOptions { GracePeriodSeconds = seconds, PropagationPolicy = "Foreground" }, cancellationToken: cancellationToken);
        }
        catch (Exception e) when (KubernetesConnection.Is(e, HttpStatusCode.NotFound))
        {
            // Already gone.
        }
        catch (Exception e) when (KubernetesConnection.IsApiFailure(e))
        {
            // The watch meets the same failure and reports it.
        }

        // The garbage collector would delete the pod with its own terminationGracePeriodSeconds; this grace is the caller's.
        try
        {
            var pods = await _api.Client.CoreV1.ListNamespacedPodAsync(_namespace, labelSelector: _selector, cancellationToken: cancellationToken);
            foreach (var pod in pods.Items)
            {
                try
                {
                    await _api.Client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, _namespace, new V1DeleteOptions { GracePeriodSeconds = seconds }, cancellationToken: cancellationToken);
                }
                catch (Exception e) when (KubernetesConnection.Is(e, HttpStatusCode.NotFound))
                {
                    // Already gone.
                }
            }
        }
        catch (Exception e) when (KubernetesConnection.IsApiFailure(e))
        {
            // As above.
        }

        await _exited.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Stops watching; the Job keeps running (a later <see cref="IStepExecutor.ReattachAsync"/> finds it by its label).
    /// When it had not ended, <see cref="Exited"/> completes with an error saying so.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _watching.CancelAsync();
        await _watch;
        _watching.Dispose();
        _logCut.Dispose();
    }

    private async Task WatchAsync()
    {
        var token = _watching.Token;
        V1Pod? lastPod = null;
        DateTimeOffset? failingSince = null;
        try
        {
            while (true)
            {
                StepExit? exit;
                string? resourceVersion;
                try
                {
                    (exit, resourceVersion, lastPod) = await CheckAsync(lastPod, token);
                    failingSince = null;
                }
                catch (Exception e) when (KubernetesConnection.IsApiFailure(e) && !token.IsCancellationRequested)
                {
                    failingSince ??= _time.GetUtcNow();
                    if (_time.GetUtcNow() - failingSince >= _options.LostAfter)
                    {
                        exit = new StepExit(null, null, Error: $"{Locator}: lost track of it: {_api.Describe(e, "read it")}");
                        await FinishAsync(exit, token);
                        return;
                    }

                    await Task.Delay(_options.PollInterval, _time, token);
                    continue;
                }

                if (exit is not null)
                {
                    await FinishAsync(exit, token);
                    return;
                }

                await WaitForChangeAsync(resourceVersion, token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            _exited.TrySetResult(new StepExit(null, null, Error: $"{Locator}: no longer watched (the handle was disposed before it ended); it may still run"));
        }
        catch (Exception e)
        {
            // A defect, not an API failure; Exited still must complete, so the attempt fails with it.
            _exited.TrySetResult(new StepExit(null, null, Error: $"{Locator}: the kubernetes executor failed while watching it: {e}"));
        }
        finally
        {
            _address.TrySetResult(null);
            await _logCut.CancelAsync();
            if (_logs is not null)
            {
                await _logs;
            }
        }
    }

    /// <summary>One look at the Job and its pod: the outcome when it has ended (or is gone), else the Job's resource version to watch from.</summary>
    private async Task<(StepExit? Exit, string? ResourceVersion, V1Pod? Pod)> CheckAsync(V1Pod? lastPod, CancellationToken token)
    {
        V1Job? job;
        try
        {
            job = await _api.Client.BatchV1.ReadNamespacedJobAsync(_name, _namespace, cancellationToken: token);
        }
        catch (Exception e) when (KubernetesConnection.Is(e, HttpStatusCode.NotFound))
        {
            job = null;
        }

        var pods = await _api.Client.CoreV1.ListNamespacedPodAsync(_namespace, labelSelector: _selector, cancellationToken: token);
        var pod = Newest(pods) ?? lastPod;
        NoteAddress(pod);
        var stopDeadline = Volatile.Read(ref _stopDeadlineTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : (DateTimeOffset?)null;
        if (job is null)
        {
            return (stopDeadline is not null
                ? KubernetesJobOutcome.Stopped(Locator, pod)
                : new StepExit(null, null, Error: $"{Locator}: the Job was deleted before it ended (not by Yardmaster)"), null, pod);
        }

        if (job.Metadata.DeletionTimestamp is not null || stopDeadline is not null)
        {
            // Being deleted: done when it is gone (foreground deletion removes the pod first).
            return stopDeadline is { } deadline && _time.GetUtcNow() > deadline
                ? (new StepExit(null, null, Error: string.Create(CultureInfo.InvariantCulture, $"{Locator}: deleted, but its pod is still there {_options.StopMargin.TotalSeconds:0} s after the grace; it may still run")), null, pod)
                : (null, job.Metadata.ResourceVersion, pod);
        }

        await NoteWaitingAsync(pod);
        if (KubernetesJobOutcome.Started(pod) && _logs is null)
        {
            _logs = CopyLogsAsync(pod!.Metadata.Name);
        }

        return (KubernetesJobOutcome.Read(job, pod), job.Metadata.ResourceVersion, pod);
    }

    /// <summary>Until the Job changes (an event of a watch on it), the watch ends, or <see cref="KubernetesExecutorOptions.PollInterval"/> passes.</summary>
    private async Task WaitForChangeAsync(string? resourceVersion, CancellationToken token)
    {
        using var quiet = new CancellationTokenSource(_options.PollInterval, _time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(token, quiet.Token);
        try
        {
            var events = _api.Client.BatchV1.WatchListNamespacedJobAsync(
                _namespace,
                fieldSelector: $"metadata.name={_name}",
                resourceVersion: resourceVersion,
                timeoutSeconds: (int)Math.Ceiling(_options.PollInterval.TotalSeconds),
                cancellationToken: wait.Token);
            await foreach (var _ in events.WithCancellation(wait.Token))
            {
                return;
            }
        }
        catch (OperationCanceledException) when (quiet.IsCancellationRequested && !token.IsCancellationRequested)
        {
            // Quiet for a poll interval: look again.
        }
        catch (Exception e) when (KubernetesConnection.IsApiFailure(e) && !token.IsCancellationRequested)
        {
            // The next read meets the failure too, and counts it; do not spin meanwhile.
            await Task.Delay(_options.PollInterval, _time, token);
        }
    }

    /// <summary>The Job's newest pod (a Job with <c>backoffLimit: 0</c> has one); null when it has none.</summary>
    private static V1Pod? Newest(V1PodList pods) =>
        pods.Items.OrderByDescending(p => p.Metadata.CreationTimestamp ?? DateTime.MinValue).FirstOrDefault();

    private void NoteAddress(V1Pod? pod)
    {
        if (pod?.Status?.PodIP is { Length: > 0 } ip)
        {
            _address.TrySetResult(ip);
        }
    }

    private async Task FinishAsync(StepExit exit, CancellationToken token)
    {
        if (_logs is not null)
        {
            try
            {
                await _logs.WaitAsync(_options.LogDrainTimeout, _time, token);
            }
            catch (TimeoutException)
            {
                await _logCut.CancelAsync();
            }
        }

        await KubernetesAttemptFiles.WriteExitAsync(_launch.AttemptDirectory, exit, token);
        _exited.TrySetResult(exit);
    }

    /// <summary>Says once in the step log why the container waits (an image that cannot be pulled), as the cluster would let it wait forever.</summary>
    private async Task NoteWaitingAsync(V1Pod? pod)
    {
        if (KubernetesJobOutcome.Waiting(pod) is not { } waiting || waiting == _waitingNoted)
        {
            return;
        }

        _waitingNoted = waiting;
        await AppendNoteAsync($"[yard] pod {pod!.Metadata.Name} is waiting: {waiting}");
    }

    /// <summary>Follows the container's log into the step log until its stream ends; a broken stream is noted in the log.</summary>
    private async Task CopyLogsAsync(string pod)
    {
        var token = _logCut.Token;
        int? sinceSeconds = _logsSince is { } since ? (int)Math.Max(1, Math.Ceiling((_time.GetUtcNow() - since).TotalSeconds)) : null;
        try
        {
            // Unbuffered: what the pod wrote is in the step log as soon as it arrives, for `yard logs` to follow.
            await using var log = new FileStream(_launch.LogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, useAsync: true);
            await using var stream = await _api.Client.CoreV1.ReadNamespacedPodLogAsync(pod, _namespace, container: KubernetesNames.Container, follow: true, sinceSeconds: sinceSeconds, cancellationToken: token);
            await stream.CopyToAsync(log, token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Cut after the drain timeout, or the handle was disposed.
        }
        catch (Exception e) when (KubernetesConnection.IsApiFailure(e))
        {
            await AppendNoteAsync($"[yard] the log of pod {pod} could not be read through the Kubernetes API: {_api.Describe(e, "read it")}");
        }
        catch (Exception e) when (e is UnauthorizedAccessException)
        {
            // The log file itself cannot be written; the outcome still counts.
        }
    }

    private async Task AppendNoteAsync(string note)
    {
        try
        {
            await File.AppendAllTextAsync(_launch.LogPath, "\n" + note + "\n", Encoding.UTF8, CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The note is a courtesy; the outcome still counts.
        }
    }
}
