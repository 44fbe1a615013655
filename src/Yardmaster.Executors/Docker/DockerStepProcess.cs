using System.Globalization;
using Yardmaster.Core.Execution;

namespace Yardmaster.Executors.Docker;

/// <summary>
/// One attempt's container, watched in the background: its logs appended to the step log, its exit awaited, its
/// outcome (exit status from wait, OOM from inspect) recorded in the attempt directory, then the container
/// removed, and only then <see cref="Exited"/> completed. Thread-safe.
/// </summary>
internal sealed class DockerStepProcess : IStepProcess
{
    private readonly DockerEngineClient _engine;
    private readonly StepLaunch _launch;
    private readonly DockerExecutorOptions _options;
    private readonly TimeProvider _time;
    private readonly string _id;
    private readonly CancellationTokenSource _watching = new();
    private readonly TaskCompletionSource<StepExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _watch;
    private volatile bool _stopRequested;
    private int _disposed;

    private DockerStepProcess(DockerEngineClient engine, StepLaunch launch, DockerExecutorOptions options, TimeProvider time, string id, string name, DateTimeOffset? logsSince)
    {
        _engine = engine;
        _launch = launch;
        _options = options;
        _time = time;
        _id = id;
        Locator = $"container {name} ({id[..Math.Min(12, id.Length)]})";
        _watch = Task.Run(() => WatchAsync(logsSince));
    }

    public string Locator { get; }

    public Task<StepExit> Exited => _exited.Task;

    /// <summary>
    /// Watches the started (or found running, or found ended) container <paramref name="id"/>; its log from
    /// <paramref name="logsSince"/> (null: from its start) is appended to the step log.
    /// </summary>
    public static DockerStepProcess Watch(DockerEngineClient engine, StepLaunch launch, DockerExecutorOptions options, TimeProvider time, string id, string name, DateTimeOffset? logsSince) =>
        new(engine, launch, options, time, id, name, logsSince);

    /// <summary>
    /// The engine's stop (SIGTERM, SIGKILL after <paramref name="grace"/> rounded up to whole seconds), then waits
    /// for <see cref="Exited"/>. Idempotent; a no-op once ended. An engine failure here is reported by <see cref="Exited"/>.
    /// </summary>
    public async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        if (_exited.Task.IsCompleted)
        {
            return;
        }

        _stopRequested = true;
        try
        {
            await _engine.StopContainerAsync(_id, (int)Math.Ceiling(Math.Max(0, grace.TotalSeconds)), cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or DockerEngineException)
        {
            // The watch sees the same engine failure and completes Exited with it.
        }

        await _exited.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Stops watching; the container keeps running (a later <see cref="IStepExecutor.ReattachAsync"/> finds it).
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
    }

    private async Task WatchAsync(DateTimeOffset? logsSince)
    {
        var token = _watching.Token;
        using var logCut = CancellationTokenSource.CreateLinkedTokenSource(token);
        var logs = CopyLogsAsync(logsSince, logCut.Token);
        try
        {
            var code = await _engine.WaitContainerAsync(_id, token);
            try
            {
                await logs.WaitAsync(_options.LogDrainTimeout, _time, token);
            }
            catch (TimeoutException)
            {
                // The engine keeps the stream open after the exit; what was read is in the log.
                await logCut.CancelAsync();
            }

            var state = await _engine.InspectContainerAsync(_id, token);
            var exit = Outcome(code, state?.OomKilled ?? false);
            await DockerAttemptFiles.WriteExitAsync(_launch.AttemptDirectory, exit, token);
            await _engine.RemoveContainerAsync(_id, token);
            _exited.TrySetResult(exit);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            _exited.TrySetResult(new StepExit(null, null, Error: $"{Locator}: no longer watched (the handle was disposed before it ended); it may still run"));
        }
        catch (Exception e) when (e is HttpRequestException or IOException or DockerEngineException or UnauthorizedAccessException)
        {
            _exited.TrySetResult(new StepExit(null, null, Error: $"{Locator}: lost track of it through the docker engine at {_engine.SocketPath}: {e.Message}"));
        }
        catch (Exception e)
        {
            // A defect, not an engine failure; Exited still must complete, so the attempt fails with it.
            _exited.TrySetResult(new StepExit(null, null, Error: $"{Locator}: the docker executor failed while watching it: {e}"));
        }
        finally
        {
            await logCut.CancelAsync();
            await logs;
        }
    }

    /// <summary>
    /// The wait status as an outcome. Docker reports a signal death as 128 + the signal; that is read as a signal
    /// only after this handle asked for the stop, since a command may also exit with such a status itself.
    /// </summary>
    private StepExit Outcome(int code, bool oomKilled) =>
        _stopRequested && code is > 128 and <= 128 + 64
            ? new StepExit(null, code - 128, oomKilled)
            : new StepExit(code, null, oomKilled);

    /// <summary>Appends the container's output to the step log until its stream ends; a broken stream is noted in the log.</summary>
    private async Task CopyLogsAsync(DateTimeOffset? since, CancellationToken cancellationToken)
    {
        try
        {
            await using var log = new FileStream(_launch.LogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 4096, useAsync: true);
            try
            {
                await using var stream = await _engine.OpenLogsAsync(_id, since, cancellationToken);
                await DockerLogDemultiplexer.CopyAsync(stream, log, cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or DockerEngineException && !cancellationToken.IsCancellationRequested)
            {
                var note = string.Create(CultureInfo.InvariantCulture, $"\n[yard] the docker engine's log stream of {Locator} broke: {e.Message}\n");
                await log.WriteAsync(System.Text.Encoding.UTF8.GetBytes(note), CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cut after the drain timeout, or the handle was disposed.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The log file itself cannot be written; the outcome still counts.
        }
    }
}
