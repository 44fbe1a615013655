using System.Globalization;
using Yardmaster.Core.Execution;

namespace Yardmaster.Server.Pipelines;

/// <summary>
/// An attempt of a step that runs inside the server (<c>inference:</c>, <c>evaluate:</c>): its work on the thread pool,
/// stopped by cancelling it, and its log. Work that returns is exit 0; a request that failed for good, or an I/O error, is
/// exit 1 with the reason in the log; a stop is signal 15.
/// </summary>
internal abstract class ServerStepRun(StepLaunch launch, TimeProvider time) : IStepProcess
{
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<StepExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _log = new();

    public abstract string Locator { get; }

    public Task<StepExit> Exited => _exited.Task;

    /// <summary>Cancelled when the attempt is stopped.</summary>
    protected CancellationToken Stopping => _stop.Token;

    protected StepLaunch Launch => launch;

    /// <summary>The clock of the log and of what the attempt records.</summary>
    protected TimeProvider Time => time;

    public void Start() => _ = Task.Run(RunAsync);

    public async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _exited.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        return ValueTask.CompletedTask;
    }

    /// <summary>The attempt's work; it ends the attempt with exit 0 when it returns.</summary>
    protected abstract Task WorkAsync();

    /// <summary>Runs <paramref name="body"/> for every item, at most <paramref name="concurrency"/> at once; the results in item order.</summary>
    protected async Task<TResult[]> ForEachAsync<TItem, TResult>(IEnumerable<TItem> items, int concurrency, Func<TItem, Task<TResult>> body)
    {
        using var gate = new SemaphoreSlim(concurrency);
        var all = items.Select(async item =>
        {
            await gate.WaitAsync(_stop.Token).ConfigureAwait(false);
            try
            {
                return await body(item).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        return await Task.WhenAll(all).ConfigureAwait(false);
    }

    /// <summary>Appends a line to the attempt's log, with the time. Thread-safe.</summary>
    protected void Log(string line)
    {
        lock (_log)
        {
            File.AppendAllText(launch.LogPath, string.Create(CultureInfo.InvariantCulture, $"{time.GetUtcNow():HH:mm:ss.fff} {line}\n"));
        }
    }

    private async Task RunAsync()
    {
        try
        {
            await WorkAsync().ConfigureAwait(false);
            _exited.TrySetResult(new StepExit(0, null));
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            Log("stopped");
            _exited.TrySetResult(new StepExit(null, 15));
        }
        catch (StepRequestFailedException e)
        {
            Log(e.Message);
            _exited.TrySetResult(new StepExit(1, null));
        }
        catch (Exception e) when (e is HttpRequestException or IOException or UnauthorizedAccessException)
        {
            Log("failed: " + e.Message);
            _exited.TrySetResult(new StepExit(1, null));
        }
    }
}
