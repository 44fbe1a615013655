using Microsoft.Extensions.Logging;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Execution;
using Yardmaster.Runtime.Serving;

namespace Yardmaster.Server.Backends;

/// <summary>
/// Takes over, after a restart of <c>yard serve</c>, the model replicas' cluster jobs the earlier server of this data
/// folder left running (never those of another live server sharing the folder: <see cref="ReplicaOwnerLocks"/>). <see cref="FindAsync"/> (at start, before the scheduler knows any model) reads each attempt
/// directory under the log directory's <c>jobs/</c> that still holds a <see cref="ClusterReplicaRecord"/> and follows its
/// job again through the engine's <see cref="IStepExecutor.ReattachAsync"/> (by the job id file, else by its name).
/// <see cref="Claim"/> (when the scheduler adds a model) gives it the numbers of the model's running jobs, at most
/// <c>replicas.max</c>, and reserves their node share in the ledger; <see cref="TakeOverAsync"/> (the load of a claimed
/// number) waits until the job's server answers, within <c>ready_timeout</c>, and makes it a <see cref="ClusterReplica"/>.
/// <see cref="StopUnclaimedAsync"/> cancels the rest: jobs of models no longer configured (or whose command or resources
/// changed), beyond <c>replicas.max</c>, or of a number already taken.
/// </summary>
/// <remarks>
/// Only <c>backend: slurm</c>: a Slurm replica answers at its node's address, recorded with its port before submission;
/// a Kubernetes pod's address is known only once it runs. Thread-safe.
/// </remarks>
internal sealed partial class ClusterReplicaAdoption(BackendOptions options, ClusterPlacements placements, HttpClient client, TimeProvider time, ILogger log) : IDisposable
{
    /// <summary>How long the jobs no one claims get to end after SIGTERM, before they are killed.</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private readonly List<ClusterSurvivor> _found = [];
    private readonly Dictionary<(string Model, int Replica), (ClusterSurvivor Survivor, Action Release)> _claimed = [];
    private ReplicaOwnerLocks? _owners;

    /// <summary>
    /// Takes this server's owner lock (its id goes into the records of the replicas it starts), then finds the replica
    /// jobs of dead servers still running. A record whose job has ended (or was never submitted) is deleted; one whose
    /// job cannot be looked up now (slurmctld unreachable) is logged and left, so its job is not taken for gone; one of a
    /// live server sharing the data folder is not touched.
    /// </summary>
    public async Task FindAsync(CancellationToken cancellationToken)
    {
        if (!options.Clusters.ContainsKey(Core.Pipelines.Engines.Slurm))
        {
            return; // no replica can run on Slurm, and none left running could be followed
        }

        var jobs = Path.Combine(options.LogDirectory, "jobs");
        var owners = ReplicaOwnerLocks.Take(jobs);
        _owners = owners;
        options.ReplicaOwner = owners.Own;
        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (var directory in Directory.EnumerateDirectories(jobs, "model.*").Order(StringComparer.Ordinal))
        {
            if (await ClusterReplicaRecord.ReadAsync(directory, cancellationToken).ConfigureAwait(false) is not { } record
                || record.Engine != Core.Pipelines.Engines.Slurm)
            {
                continue;
            }

            named.Add(record.Owner);
            if (!owners.TryInherit(record.Owner))
            {
                continue; // a live server's replica
            }

            var engine = options.Clusters[record.Engine];
            IStepProcess? job;
            try
            {
                job = await engine.Executor.ReattachAsync(Launch(record, directory), cancellationToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // an engine that cannot answer now must not stop the server from starting; the job is left alone
            catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
            {
                Log.LookupFailed(log, record.Model, record.Replica, directory, e.Message);
                continue;
            }

            if (job is null || job.Exited.IsCompleted)
            {
                if (job is not null)
                {
                    await job.DisposeAsync().ConfigureAwait(false);
                }

                ClusterReplicaRecord.Delete(directory);
                continue;
            }

            Log.Found(log, record.Model, record.Replica, job.Locator, record.Url);
            lock (_lock)
            {
                _found.Add(new ClusterSurvivor(record, job, directory));
            }
        }

        owners.Prune(named);
    }

    /// <summary>
    /// The numbers of <paramref name="definition"/>'s running jobs taken for it, at most <paramref name="max"/>, lowest
    /// first; each one's node share is reserved in the ledger (<c>MODEL#N</c>) and counted in the placements. A job whose
    /// command or resources are no longer the model's, whose number is taken, or that does not fit is left for
    /// <see cref="StopUnclaimedAsync"/>.
    /// </summary>
    public IReadOnlyList<int> Claim(ModelDefinition definition, int max)
    {
        if (definition.Backend != BackendKind.Slurm || !options.Clusters.TryGetValue(Core.Pipelines.Engines.Slurm, out var engine))
        {
            return [];
        }

        var request = ClusterReplica.Resources(definition);
        var numbers = new List<int>();
        lock (_lock)
        {
            foreach (var survivor in _found.Where(s => s.Record.Model == definition.Name).OrderBy(s => s.Record.Replica).ToList())
            {
                var record = survivor.Record;
                var node = engine.Nodes.FirstOrDefault(n => n.Name == record.Node);
                survivor.Refused = numbers.Count >= max ? $"beyond replicas.max ({max})"
                    : numbers.Contains(record.Replica) ? $"replica number {record.Replica} is taken by another job"
                    : !record.Arguments.SequenceEqual(CommandLine.Expand(definition, record.Port, options.YardCommand)) ? "the model's command changed"
                    : record.Request != request ? $"the model's resources changed (the job has {record.Request}, the model asks {request})"
                    : node is null ? $"its node {record.Node} is not among the cluster's available nodes"
                    : null;
                if (survivor.Refused is not null)
                {
                    continue;
                }

                try
                {
                    var (_, release) = ClusterReplica.Place(definition, record.Replica, engine with { Nodes = [node!] }, placements, options.Ledger, request);
                    _found.Remove(survivor);
                    _claimed[(definition.Name, record.Replica)] = (survivor, ClusterReplicaRecord.Forgetting(survivor.AttemptDirectory, release));
                    numbers.Add(record.Replica);
                }
                catch (ReplicaStartException e)
                {
                    survivor.Refused = e.Message;
                }
            }
        }

        return numbers;
    }

    /// <summary>The claimed job of replica <paramref name="replica"/> of <paramref name="model"/>, handed over once; null when none is claimed.</summary>
    public (ClusterSurvivor Survivor, Action Release)? TakeClaimed(string model, int replica)
    {
        lock (_lock)
        {
            return _claimed.Remove((model, replica), out var claimed) ? claimed : null;
        }
    }

    /// <summary>
    /// Waits until the claimed job's server answers (within <c>ready_timeout</c>) and returns it as a replica; a
    /// <see cref="ReplicaStartException"/> otherwise, after cancelling the job and releasing its reservation.
    /// </summary>
    public async Task<ClusterReplica> TakeOverAsync(ModelDefinition definition, (ClusterSurvivor Survivor, Action Release) claimed, CancellationToken cancellationToken)
    {
        var ((record, job, _), release) = claimed;
        try
        {
            await ReadyProbe.WaitAsync(
                record.Url,
                client,
                time,
                definition.ReadyTimeout,
                TimeSpan.FromMilliseconds(200),
                async () => job.Exited.IsCompleted
                    ? $"model '{definition.Name}': the job ({job.Locator}) left running by the earlier server ended before its server answered: {(await job.Exited.ConfigureAwait(false)).Describe()}"
                    : null,
                () => $"model '{definition.Name}': the job ({job.Locator}) left running by the earlier server did not answer at {record.Url} within {definition.ReadyTimeout.TotalSeconds:0.#} s (ready_timeout); it was cancelled",
                cancellationToken).ConfigureAwait(false);
            var baseUrl = new Uri(record.Url, "v1/");
            var upstream = definition.UpstreamModel ?? await HttpReplica.UpstreamNameAsync(client, baseUrl, null, cancellationToken).ConfigureAwait(false);
            Log.Adopted(log, definition.Name, record.Replica, job.Locator);
            return new ClusterReplica(job, new OpenAiForwarder(client, baseUrl, null, upstream, time) { SendsPriority = true }, definition.StopGrace, release, record.Node, record.Url, record.LogPath);
        }
        catch
        {
            await job.StopAsync(TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
            await job.DisposeAsync().ConfigureAwait(false);
            release();
            throw;
        }
    }

    /// <summary>
    /// Cancels every job found and not claimed (SIGTERM, then kill after 10 s) and deletes its record; call once the
    /// scheduler has its models. Returns when they have ended, or when <paramref name="cancellationToken"/> gives up
    /// waiting (a job then ends on its own time).
    /// </summary>
    public async Task StopUnclaimedAsync(CancellationToken cancellationToken)
    {
        List<ClusterSurvivor> rest;
        lock (_lock)
        {
            rest = [.. _found];
            _found.Clear();
        }

        await Task.WhenAll(rest.Select(async survivor =>
        {
            var (record, job, directory) = survivor;
            Log.Stopping(log, record.Model, record.Replica, job.Locator, survivor.Refused ?? "the model is not configured with backend: slurm");
            try
            {
                await job.StopAsync(StopGrace, cancellationToken).ConfigureAwait(false);
                ClusterReplicaRecord.Delete(directory);
            }
            catch (OperationCanceledException)
            {
                // Given up waiting: the job was told to stop; its record stays, so the next start looks again.
            }
            finally
            {
                await job.DisposeAsync().ConfigureAwait(false);
            }
        })).ConfigureAwait(false);
    }

    /// <summary>Releases the owner locks (call once the replicas are stopped): a later server takes over what is left.</summary>
    public void Dispose() => _owners?.Dispose();

    private StepLaunch Launch(ClusterReplicaRecord record, string directory) => new()
    {
        AttemptId = record.AttemptId,
        RunId = "models",
        StepId = ProcessReplica.Sanitize(record.Model),
        Attempt = record.Replica,
        WorkingDirectory = options.LogDirectory,
        AttemptDirectory = directory,
        LogPath = record.LogPath,
        CpuMillis = record.Request.CpuMillis,
        MemoryBytes = record.Request.MemoryBytes,
        Node = record.Node,
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 120, Level = LogLevel.Information, Message = "Model {Model} replica {Replica}: its job {Locator}, started by an earlier server, still runs (at {Url})")]
        public static partial void Found(ILogger logger, string model, int replica, string locator, Uri url);

        [LoggerMessage(EventId = 121, Level = LogLevel.Information, Message = "Model {Model} replica {Replica} adopted: {Locator} answers")]
        public static partial void Adopted(ILogger logger, string model, int replica, string locator);

        [LoggerMessage(EventId = 122, Level = LogLevel.Warning, Message = "Model {Model} replica {Replica}: its job {Locator}, started by an earlier server, is cancelled: {Reason}")]
        public static partial void Stopping(ILogger logger, string model, int replica, string locator, string reason);

        [LoggerMessage(EventId = 123, Level = LogLevel.Warning, Message = "Model {Model} replica {Replica}: its job (recorded in {Directory}) cannot be looked up now and is left alone: {Reason}")]
        public static partial void LookupFailed(ILogger logger, string model, int replica, string directory, string reason);
    }
}
