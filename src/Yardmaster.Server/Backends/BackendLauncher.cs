using Yardmaster.Core.Configuration;
using Yardmaster.Runtime.Serving;

namespace Yardmaster.Server.Backends;

/// <summary>Starts replicas of every backend kind for the scheduler, and estimates their footprint before they load.</summary>
internal sealed class BackendLauncher(BackendOptions options, TimeProvider time) : IReplicaLauncher, IDisposable
{
    private readonly HttpClient _client = OpenAiForwarder.CreateClient();
    private readonly ClusterPlacements _placements = new();
    private ClusterReplicaAdoption? _adoption;

    /// <inheritdoc />
    public FootprintEstimate EstimateMemory(ModelDefinition model) => ModelFootprint.Estimate(model);

    /// <inheritdoc />
    public async Task<IReplicaInstance> StartAsync(ModelDefinition model, int replica, CancellationToken cancellationToken) => model.Backend switch
    {
        BackendKind.Builtin => await StartBuiltinAsync(model, cancellationToken).ConfigureAwait(false),
        BackendKind.Process => await ProcessReplica.StartAsync(model, replica, options, _client, time, cancellationToken).ConfigureAwait(false),
        BackendKind.Http => await HttpReplica.StartAsync(model, _client, time, cancellationToken).ConfigureAwait(false),
        BackendKind.Slurm or BackendKind.Kubernetes when options.Clusters.GetValueOrDefault(model.Backend.Name()) is { } engine =>
            _adoption?.TakeClaimed(model.Name, replica) is { } running
                ? await _adoption.TakeOverAsync(model, running, cancellationToken).ConfigureAwait(false)
                : await ClusterReplica.StartAsync(model, replica, engine, _placements, options, _client, time, cancellationToken).ConfigureAwait(false),
        BackendKind.Slurm or BackendKind.Kubernetes => throw new ReplicaStartException($"model '{model.Name}': backend {model.Backend.Name()} needs jobs.{model.Backend.Name()} in yard.yaml and a cluster that answered at startup"),
        _ => throw new ReplicaStartException($"model '{model.Name}': unknown backend {model.Backend}"),
    };

    /// <inheritdoc />
    public IReadOnlyList<int> ClaimRunning(ModelDefinition model, int max) => _adoption?.Claim(model, max) ?? [];

    /// <summary>
    /// Finds the model replicas' cluster jobs an earlier server of this data folder left running (<see cref="ClusterReplicaAdoption"/>),
    /// for <see cref="ClaimRunning"/>. Call once, before the scheduler is given its models.
    /// </summary>
    public async Task FindRunningAsync(Microsoft.Extensions.Logging.ILogger log, CancellationToken cancellationToken)
    {
        _adoption = new ClusterReplicaAdoption(options, _placements, _client, time, log);
        await _adoption.FindAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Cancels the jobs <see cref="FindRunningAsync"/> found and no model claimed; call once the scheduler has its models.</summary>
    public Task StopUnclaimedAsync(CancellationToken cancellationToken) => _adoption?.StopUnclaimedAsync(cancellationToken) ?? Task.CompletedTask;

    public void Dispose()
    {
        _adoption?.Dispose();
        _client.Dispose();
    }

    private async Task<IReplicaInstance> StartBuiltinAsync(ModelDefinition model, CancellationToken cancellationToken)
    {
        try
        {
            return await Task.Run(() => BuiltinReplica.StartAsync(model, options.BackgroundThreadsFollowSteps is null ? null : options.Ledger, time, cancellationToken, options.BackgroundThreadsFollowSteps ?? Core.PriorityClass.Low), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Inference.Gguf.GgufFormatException or Inference.Llama.UnsupportedModelException or ArgumentException)
        {
            throw new ReplicaStartException($"model '{model.Name}': cannot load {model.Path}: {e.Message}", e);
        }
    }
}
