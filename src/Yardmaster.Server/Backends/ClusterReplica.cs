using System.Globalization;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Execution;
using Yardmaster.Core.Pipelines;
using Yardmaster.Runtime.Ledger;
using Yardmaster.Runtime.Serving;

namespace Yardmaster.Server.Backends;

/// <summary>
/// A model server run as a long-lived cluster job (<c>backend: slurm</c> or <c>kubernetes</c>): the model's command,
/// with <c>{port}</c> a port drawn at random, submitted through the engine's executor on the node with the fewest replicas
/// of the model (so <c>replicas.min: 2</c> on two nodes puts one on each); ready when <c>/health</c> or <c>/v1/models</c>
/// answers 200 at the address the job reports (a pod's IP), else the node's; then routed to like an <c>http</c> replica.
/// Eviction and idle unloading cancel the job (SIGTERM, then kill after <c>stop_grace</c>); a job that ends on its own
/// completes <see cref="Exited"/>, and the scheduler starts another replica when the model needs one.
/// </summary>
internal sealed class ClusterReplica : IServingReplica
{
    /// <summary>Ports a replica's server is told to listen on are drawn from here; a taken one makes the job exit, and the start is tried again.</summary>
    private const int FirstPort = 20000;
    private const int PortRange = 40000;

    private readonly IStepProcess _job;
    private readonly OpenAiForwarder _forwarder;
    private readonly TimeSpan _grace;
    private readonly Action _release;
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stopping;
    private int _disposed;

    /// <summary>A replica of the job <paramref name="job"/>, whose server answers at <paramref name="url"/>; <paramref name="release"/> undoes its node's reservation once it is over.</summary>
    internal ClusterReplica(IStepProcess job, OpenAiForwarder forwarder, TimeSpan grace, Action release, string node, Uri url, string logPath)
    {
        _job = job;
        _forwarder = forwarder;
        _grace = grace;
        _release = release;
        Node = node;
        Url = url;
        LogPath = logPath;
        _ = WatchAsync();
    }

    /// <summary>The node the job runs on.</summary>
    public string Node { get; }

    /// <summary>Where its server answers.</summary>
    public Uri Url { get; }

    /// <summary>The job's output.</summary>
    public string LogPath { get; }

    /// <summary>The job, as the engine names it (<c>slurm job 42 on n1</c>).</summary>
    public string Locator => _job.Locator;

    /// <inheritdoc />
    public long MemoryBytes => 0; // held on the cluster node, reserved there by the job; nothing on this machine's devices

    /// <inheritdoc />
    public Task Exited => _exited.Task;

    /// <inheritdoc />
    public string? ExitReason { get; private set; }

    /// <summary>Submits the job, waits until its server answers, and returns the replica; a <see cref="ReplicaStartException"/> saying why otherwise (nothing left running).</summary>
    public static async Task<ClusterReplica> StartAsync(ModelDefinition definition, int replica, ClusterEngine engine, ClusterPlacements placements, BackendOptions options, HttpClient client, TimeProvider time, CancellationToken cancellationToken)
    {
        var request = Resources(definition);
        var (node, release) = Place(definition, replica, engine, placements, options.Ledger, request);
        try
        {
            var port = FirstPort + Random.Shared.Next(PortRange);
            // A pod runs in its image, where `yard` is the image's own, not this program's path.
            var args = CommandLine.Expand(definition, port, definition.Backend == BackendKind.Kubernetes ? ["yard"] : options.YardCommand);
            if (args.Count == 0)
            {
                throw new ReplicaStartException($"model '{definition.Name}': the command is empty");
            }

            var stamp = time.GetUtcNow().ToString("yyyyMMdd-HHmmss-fff", CultureInfo.InvariantCulture);
            var name = ProcessReplica.Sanitize(definition.Name);
            var attemptId = $"model.{name}.{replica.ToString(CultureInfo.InvariantCulture)}.{stamp}";
            var jobs = Path.Combine(options.LogDirectory, "jobs");
            Directory.CreateDirectory(jobs);
            var launch = new StepLaunch
            {
                AttemptId = attemptId,
                RunId = "models",
                StepId = name,
                Attempt = replica,
                Command = definition.Image is null ? string.Join(' ', args.Select(Quote)) : null,
                Container = definition.Image is { } image ? new ContainerSpec(image, null) { Entrypoint = args } : null,
                Priority = Core.PriorityClass.High,
                WorkingDirectory = options.LogDirectory,
                AttemptDirectory = Path.Combine(jobs, attemptId),
                LogPath = Path.Combine(options.LogDirectory, $"{name}-{replica.ToString(CultureInfo.InvariantCulture)}-{stamp}.log"),
                CpuMillis = request.CpuMillis,
                // A model server's pod is capped at its threads (Guaranteed QoS: requests equal limits); Slurm confines a job itself.
                CpuLimitMillis = definition.Backend == BackendKind.Kubernetes ? request.CpuMillis : 0,
                MemoryBytes = request.MemoryBytes,
                Gpus = [.. Enumerable.Range(0, request.Gpus)],
                Node = node.Name,
            };
            // Before the submission: a server killed after sbatch finds the job, its node and its port here (ClusterReplicaAdoption;
            // Slurm's only: a Kubernetes replica's address is its pod's, known once the pod runs).
            var nodeUrl = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://{node.Address ?? node.Name}:{port}/"));
            await new ClusterReplicaRecord(definition.Name, replica, engine.Executor.Name, attemptId, node.Name, nodeUrl, launch.LogPath, args, port, request, options.ReplicaOwner)
                .WriteAsync(launch.AttemptDirectory, cancellationToken).ConfigureAwait(false);
            release = ClusterReplicaRecord.Forgetting(launch.AttemptDirectory, release);
            var started = await engine.Executor.StartAsync(launch, cancellationToken).ConfigureAwait(false);
            if (started.Process is not { } job)
            {
                throw new ReplicaStartException($"model '{definition.Name}': the {definition.Backend.Name()} job did not start: {started.Error}");
            }

            try
            {
                var url = await ReplicaAddress.UrlAsync(definition, job, node, port, launch.LogPath, time, cancellationToken).ConfigureAwait(false);
                await WaitReadyAsync(definition, job, url, launch.LogPath, client, time, cancellationToken).ConfigureAwait(false);
                var baseUrl = new Uri(url, "v1/");
                var upstream = definition.UpstreamModel ?? await HttpReplica.UpstreamNameAsync(client, baseUrl, null, cancellationToken).ConfigureAwait(false);
                return new ClusterReplica(job, new OpenAiForwarder(client, baseUrl, null, upstream, time) { SendsPriority = true }, definition.StopGrace, release, node.Name, url, launch.LogPath);
            }
            catch
            {
                await job.StopAsync(TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
                await job.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch
        {
            release();
            throw;
        }
    }

    /// <summary>
    /// The node for the replica (fewest replicas of the model first) whose share is reserved in <paramref name="ledger"/>
    /// (when given) and counted in <paramref name="placements"/>; the action given back undoes both, once.
    /// </summary>
    internal static (NodeCapacity Node, Action Release) Place(ModelDefinition definition, int replica, ClusterEngine engine, ClusterPlacements placements, ResourceLedger? ledger, ResourceRequest request)
    {
        var owner = $"{definition.Name}#{replica.ToString(CultureInfo.InvariantCulture)}";
        var candidates = engine.Nodes.Where(n => n.Holds(request)).ToList();
        if (candidates.Count == 0)
        {
            throw new ReplicaStartException($"model '{definition.Name}': no {definition.Backend.Name()} node can hold a replica ({request}); the nodes are {string.Join(", ", engine.Nodes.Select(n => $"{n.Name} ({n.CpuMillis / 1000} cores, {Core.Units.ByteSizes.Format(n.MemoryBytes)}, {n.Gpus} GPUs)"))}");
        }

        while (placements.Choose(definition.Name, candidates, request) is { } choice)
        {
            var index = ledger is null ? -1 : IndexOf(ledger, choice.Name);
            var gpus = index < 0 ? 0UL : FreeGpus(ledger!, index, request.Gpus);
            if (ledger is null || index < 0)
            {
                return (choice, placements.Take(definition.Name, choice.Name));
            }

            if (ledger.TryReserve(index, request, gpus, owner))
            {
                var uncount = placements.Take(definition.Name, choice.Name);
                var released = 0;
                return (choice, () =>
                {
                    if (Interlocked.Exchange(ref released, 1) == 0)
                    {
                        uncount();
                        ledger.Release(index, request, gpus, owner);
                    }
                });
            }

            candidates.Remove(choice);
        }

        throw new ReplicaStartException($"model '{definition.Name}': every {definition.Backend.Name()} node that can hold a replica ({request}) is taken by steps and other replicas now");
    }

    private static int IndexOf(ResourceLedger ledger, string node)
    {
        for (var i = 0; i < ledger.Nodes.Count; i++)
        {
            if (ledger.Nodes[i].Name == node)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The mask of the first <paramref name="count"/> free GPUs of the node; all bits when it has fewer, so the reservation fails.</summary>
    private static ulong FreeGpus(ResourceLedger ledger, int index, int count)
    {
        var free = ledger.Snapshot()[index].GpuFree;
        var mask = 0UL;
        for (var bit = 0; bit < 64 && count > 0; bit++)
        {
            if ((free & (1UL << bit)) != 0)
            {
                mask |= 1UL << bit;
                count--;
            }
        }

        return count == 0 ? mask : ulong.MaxValue;
    }

    /// <summary>What a replica's job asks of its node: <c>threads</c> cores (default 1), <c>memory</c> when declared, one GPU for <c>device: gpu</c>.</summary>
    public static ResourceRequest Resources(ModelDefinition definition) =>
        new((definition.Threads ?? 1) * 1000L, definition.Memory ?? 0, definition.Device == DeviceKind.Gpu ? 1 : 0);

    /// <inheritdoc />
    public Task<ForwardReport> ForwardAsync(ForwardCall call, HttpContext http, CancellationToken cancellationToken) =>
        _forwarder.ForwardAsync(call, http, cancellationToken);

    /// <summary>Cancels the job (SIGTERM, then kill after the grace) and waits for it to end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping = true;
        try
        {
            await _job.StopAsync(_grace, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await _job.DisposeAsync().ConfigureAwait(false);
            _release();
        }
    }

    /// <summary>A shell word that is exactly <paramref name="arg"/>: single-quoted, with each quote closed, escaped and reopened.</summary>
    private static string Quote(string arg) => "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static Task WaitReadyAsync(ModelDefinition definition, IStepProcess job, Uri url, string logPath, HttpClient client, TimeProvider time, CancellationToken cancellationToken) =>
        ReadyProbe.WaitAsync(
            url,
            client,
            time,
            definition.ReadyTimeout,
            TimeSpan.FromMilliseconds(200),
            async () => job.Exited.IsCompleted
                ? $"model '{definition.Name}': the job ({job.Locator}) ended before its server answered: {(await job.Exited.ConfigureAwait(false)).Describe()}; last output:{Environment.NewLine}{ProcessReplica.Tail(logPath)}"
                : null,
            () => $"model '{definition.Name}': the job ({job.Locator}) did not answer at {url} within {definition.ReadyTimeout.TotalSeconds:0.#} s (ready_timeout; it may still be queued on the cluster); last output:{Environment.NewLine}{ProcessReplica.Tail(logPath)}",
            cancellationToken);

    private async Task WatchAsync()
    {
        var exit = await _job.Exited.ConfigureAwait(false);
        if (!_stopping)
        {
            ExitReason = $"the model server's job ({_job.Locator}) ended: {exit.Describe()}; log: {LogPath}";
            _exited.TrySetResult();
        }
    }
}
