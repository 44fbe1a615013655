using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Runs;
using Yardmaster.Runtime.Pipelines;
using Yardmaster.Server.Pipelines;
using Yardmaster.Storage;

namespace Yardmaster.Cli.Commands.Runs;

/// <summary>
/// Run commands without a server: the scheduler runs in this process on the data folder's store (taking over
/// its unfinished runs first). Read-only commands open only the store, so they work while a server runs.
/// </summary>
internal sealed class EmbeddedRuns : IRunsBackend
{
    private readonly YardConfig _config;
    private readonly string _dataDirectory;
    private JobHost? _host;
    private IRunStore? _readStore;
    private ClusterEngines? _clusters;

    public EmbeddedRuns(YardConfig config, string dataDirectory)
    {
        _config = config;
        _dataDirectory = dataDirectory;
    }

    public string Describe => $"embedded scheduler on {_dataDirectory}";

    /// <summary>The data folder (store, runs, the scheduler's lock).</summary>
    public string DataDirectory => _dataDirectory;

    /// <summary>The scheduler, started on first use; throws <see cref="InvalidOperationException"/> with a printable message when another scheduler owns the folder.</summary>
    public async Task<JobHost> HostAsync(CancellationToken cancellationToken)
    {
        if (_host is null)
        {
            var (host, error) = await JobHost.OpenAsync(_config, _dataDirectory, null, await ClustersAsync(cancellationToken).ConfigureAwait(false), NullLoggerFactory.Instance, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            _host = host ?? throw new InvalidOperationException(error);
        }

        return _host;
    }

    public async Task<(string? Id, ValidationErrors Errors)> SubmitAsync(string yaml, string file, CancellationToken cancellationToken)
    {
        var host = await HostAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var (id, errors) = await host.Scheduler.SubmitAsync(yaml, file, cancellationToken).ConfigureAwait(false);
            return (id, ValidationErrors.From(errors));
        }
        catch (Core.Runs.StoreWriteException e)
        {
            // A full disk: nothing started; say where and what to do rather than a stack trace.
            return (null, new ValidationErrors([e.Message], 1));
        }
    }

    public Task? Ended(string runId, CancellationToken cancellationToken) => _host?.Scheduler.WaitAsync(runId, cancellationToken);

    public async Task<ValidationErrors> ValidateAsync(string yaml, string file, CancellationToken cancellationToken)
    {
        var clusters = await ClustersAsync(cancellationToken).ConfigureAwait(false);
        var loaded = PipelineLoader.LoadText(yaml, file, JobHost.Environment(_config, clusters.Nodes));
        return ValidationErrors.From(loaded.Errors);
    }

    /// <summary>The clusters of <c>jobs.slurm</c> and <c>jobs.kubernetes</c>, asked for their nodes once.</summary>
    private async Task<ClusterEngines> ClustersAsync(CancellationToken cancellationToken) =>
        _clusters ??= await ClusterEngines.OpenAsync(_config.Jobs, NullLogger.Instance, TimeProvider.System, cancellationToken).ConfigureAwait(false);

    public async Task<JsonElement?> GetAsync(string runId, bool transitions, CancellationToken cancellationToken)
    {
        var store = await StoreAsync(cancellationToken).ConfigureAwait(false);
        var detail = await store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
        if (detail is null)
        {
            return null;
        }

        var history = transitions ? await store.TransitionsAsync(runId, cancellationToken).ConfigureAwait(false) : null;
        return JsonDocument.Parse(RunJson.Detail(detail, history)).RootElement.Clone();
    }

    public async Task<JsonElement> ListAsync(string? pipeline, int limit, CancellationToken cancellationToken)
    {
        var store = await StoreAsync(cancellationToken).ConfigureAwait(false);
        var runs = await store.ListRunsAsync(pipeline, limit, cancellationToken).ConfigureAwait(false);
        return JsonDocument.Parse(RunJson.RunList(runs)).RootElement.Clone();
    }

    public async Task<string?> CancelAsync(string runId, string reason, CancellationToken cancellationToken)
    {
        var host = await HostAsync(cancellationToken).ConfigureAwait(false);
        if (await host.Scheduler.CancelAsync(runId, reason, cancellationToken).ConfigureAwait(false))
        {
            await host.Scheduler.WaitAsync(runId, cancellationToken).ConfigureAwait(false);
            return null;
        }

        var detail = await host.Store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
        return detail is null ? $"there is no run '{runId}'" : $"run {runId} is {detail.Run.State.Name()}; only running runs are cancelled";
    }

    public async Task<string?> RetryAsync(string runId, string? stepId, CancellationToken cancellationToken)
    {
        var host = await HostAsync(cancellationToken).ConfigureAwait(false);
        return await host.Scheduler.RetryAsync(runId, stepId, cancellationToken).ConfigureAwait(false);
    }

    public async Task<string?> LogsAsync(string runId, string stepId, int? attempt, bool follow, Stream output, CancellationToken cancellationToken)
    {
        var store = await StoreAsync(cancellationToken).ConfigureAwait(false);
        var detail = await store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
        if (detail is null)
        {
            return $"there is no run '{runId}'";
        }

        var attempts = detail.Attempts.Where(a => a.StepId == stepId).ToList();
        if (!detail.Steps.Any(s => s.StepId == stepId))
        {
            return $"run {runId} has no step '{stepId}'; it has: {string.Join(", ", detail.Steps.Select(s => s.StepId))}";
        }

        var wanted = attempt is { } n ? attempts.FirstOrDefault(a => a.Number == n) : attempts.LastOrDefault();
        if (wanted is null)
        {
            return attempts.Count == 0 ? $"step '{stepId}' has not started yet" : $"step '{stepId}' has no attempt {attempt}";
        }

        await LogTail.CopyAsync(wanted.LogPath, output, follow ? async ct =>
        {
            var now = await store.GetRunAsync(runId, ct).ConfigureAwait(false);
            return now?.Attempts.FirstOrDefault(a => a.StepId == stepId && a.Number == wanted.Number)?.Outcome == AttemptOutcome.Running;
        }
        : null, cancellationToken).ConfigureAwait(false);
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync().ConfigureAwait(false);
        }

        if (_clusters is not null)
        {
            await _clusters.DisposeAsync().ConfigureAwait(false);
        }

        if (_readStore is not null)
        {
            await _readStore.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<IRunStore> StoreAsync(CancellationToken cancellationToken)
    {
        if (_host is not null)
        {
            return _host.Store;
        }

        return _readStore ??= await StoreOpener.OpenRunsAsync(_config.Store, Path.Combine(_dataDirectory, "yard.db"), TimeProvider.System, fence: null, cancellationToken).ConfigureAwait(false);
    }
}
