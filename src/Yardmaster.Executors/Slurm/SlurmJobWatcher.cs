using System.Collections.Concurrent;

namespace Yardmaster.Executors.Slurm;

/// <summary>
/// The one poll loop of an executor: every <see cref="SlurmExecutorOptions.Poll"/>, one <c>squeue</c> for all the jobs
/// it follows (and one <c>sacct</c> for those slurmctld no longer holds), never a process per job. A job missing from
/// both for <see cref="SlurmExecutorOptions.MissingPolls"/> polls in a row is reported lost. While <c>squeue</c> fails
/// (slurmctld down) nothing is concluded: the jobs keep running on their nodes and are followed again once it answers.
/// Thread-safe.
/// </summary>
internal sealed class SlurmJobWatcher : IAsyncDisposable
{
    private readonly SlurmJobs _jobs;
    private readonly SlurmExecutorOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, SlurmStepProcess> _watched = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _misses = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private Task? _loop;

    public SlurmJobWatcher(SlurmJobs jobs, SlurmExecutorOptions options, TimeProvider time)
    {
        _jobs = jobs;
        _options = options;
        _time = time;
    }

    /// <summary>The last error of a poll, for diagnostics; null after a poll that worked.</summary>
    public string? LastError { get; private set; }

    /// <summary>Follows <paramref name="process"/> until its job ends or it is forgotten; starts the loop on first use.</summary>
    public void Watch(SlurmStepProcess process)
    {
        _watched[process.JobId] = process;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
            _loop ??= Task.Run(LoopAsync);
        }
    }

    /// <summary>Stops following <paramref name="process"/>.</summary>
    public void Forget(SlurmStepProcess process)
    {
        _watched.TryRemove(new KeyValuePair<string, SlurmStepProcess>(process.JobId, process));
        _misses.TryRemove(process.JobId, out _);
    }

    /// <summary>Stops the loop; every job still followed ends its handle with "no longer watched" (the jobs keep running).</summary>
    public async ValueTask DisposeAsync()
    {
        Task? loop;
        lock (_lock)
        {
            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            _stopping.Cancel();
            loop = _loop;
        }

        if (loop is not null)
        {
            await loop;
        }

        foreach (var process in _watched.Values)
        {
            process.Lose("no longer watched (the executor was disposed before the job ended); it may still run");
        }

        _watched.Clear();
        _stopping.Dispose();
    }

    private async Task LoopAsync()
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.Poll, _time, token);
                if (!_watched.IsEmpty)
                {
                    await PollAsync(token);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (SlurmCommandException e)
            {
                LastError = e.Message;
            }
        }
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        var ids = _watched.Keys.ToList();
        var (states, accountingError) = await _jobs.StatesAsync(ids, cancellationToken);
        LastError = null;
        foreach (var id in ids)
        {
            if (!_watched.TryGetValue(id, out var process))
            {
                continue;
            }

            if (states.TryGetValue(id, out var state))
            {
                _misses.TryRemove(id, out _);
                if (process.Observe(state))
                {
                    Forget(process);
                }
            }
            else if (_misses.AddOrUpdate(id, 1, (_, n) => n + 1) >= _options.MissingPolls)
            {
                process.Lose($"known neither to slurmctld (squeue) nor to accounting ({accountingError ?? "sacct has no record"}); its outcome is unknown");
                Forget(process);
            }
        }
    }
}
