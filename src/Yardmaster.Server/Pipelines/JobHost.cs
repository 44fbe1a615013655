using Microsoft.Extensions.Logging;
using Yardmaster.Core.Cluster;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Execution;
using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Runs;
using Yardmaster.Executors.Docker;
using Yardmaster.Executors.Process;
using Yardmaster.Runtime.Ledger;
using Yardmaster.Runtime.Pipelines;
using Yardmaster.Storage;

namespace Yardmaster.Server.Pipelines;

/// <summary>
/// The job scheduler with everything it runs on, as <c>yard serve</c> and the embedded <c>yard run</c> host it:
/// the exclusive lock on the data folder (one scheduler per store), the run store (SQLite, or PostgreSQL with <c>store.url</c>), the ledger's local
/// node from <c>devices</c>, the process executor and, when enabled and its socket exists, the docker executor.
/// </summary>
public sealed class JobHost : IAsyncDisposable
{
    private readonly DataFolderLock? _lock;
    private readonly IRunStore _store;
    private readonly DockerExecutor? _docker;

    private JobHost(DataFolderLock? @lock, IRunStore store, DockerExecutor? docker, JobScheduler scheduler, string dataDirectory)
    {
        _lock = @lock;
        _store = store;
        _docker = docker;
        Scheduler = scheduler;
        DataDirectory = dataDirectory;
    }

    /// <summary>The scheduler (started).</summary>
    public JobScheduler Scheduler { get; }

    /// <summary>The run store.</summary>
    public IRunStore Store => _store;

    /// <summary>The data folder.</summary>
    public string DataDirectory { get; }

    /// <summary>The ledger's node for this machine, from <c>devices</c>.</summary>
    public static NodeCapacity LocalNode(DeviceSettings devices) =>
        new("local", devices.CpuMillis, devices.CpuMemory, devices.Gpus.Count) { GpuIndexes = [.. devices.Gpus.Select(g => g.Index)] };

    /// <summary>The engines that queue and place steps themselves, with their limits: Slurm unless <c>jobs.slurm.placement: yardmaster</c>.</summary>
    public static IReadOnlyDictionary<string, int> EngineQueues(JobSettings jobs) =>
        jobs.Slurm is { Placement: SlurmPlacements.Slurm } slurm
            ? new Dictionary<string, int>(StringComparer.Ordinal) { [Engines.Slurm] = slurm.QueueLimit }
            : new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>True when container steps run here: <c>jobs.docker.enabled</c> and its socket exists.</summary>
    public static bool DockerConfigured(YardConfig config) => config.Jobs.DockerEnabled && File.Exists(config.Jobs.DockerSocket);

    /// <summary>What a scheduler on <paramref name="config"/> validates pipelines against, without opening it: this machine and the clusters' nodes.</summary>
    public static PipelineEnvironment Environment(YardConfig config, IReadOnlyList<NodeCapacity>? clusterNodes = null) => new()
    {
        Nodes = [LocalNode(config.Devices), .. clusterNodes ?? []],
        ServingReserve = config.Pool.ServingReserve,
        DefaultExecutor = config.Jobs.Executor,
        ContainerEngine = DockerConfigured(config) ? "docker" : null,
        AllowedDirectories = config.Jobs.AllowedDirs,
        SourceFolderAllowed = true,
    };

    /// <summary>
    /// Locks <paramref name="dataDirectory"/>, opens the store and starts the scheduler, which first takes over
    /// the store's unfinished runs. Returns an error (nothing left open) when another scheduler holds the lock.
    /// Embedded (<c>yard run FILE</c>): a pipeline file's own folder counts as its runs' folder.
    /// </summary>
    public static Task<(JobHost? Host, string? Error)> OpenAsync(YardConfig config, string dataDirectory, ResourceLedger? ledger, ClusterEngines clusters, ILoggerFactory logging, TimeProvider time, CancellationToken cancellationToken) =>
        OpenAsync(config, dataDirectory, ledger, inference: null, clusters, fence: null, embedded: true, logging, time, cancellationToken);

    /// <summary>
    /// As above for <c>yard serve</c>: with <paramref name="inference"/>, <c>inference:</c> steps run through the server's
    /// request scheduler; a pipeline's file name is only a label a client sent, so its folder is not the run's.
    /// </summary>
    /// <remarks>
    /// On a shared PostgreSQL store the caller passes the <paramref name="fence"/> of the lease it won: the lease, not the
    /// data folder's lock, makes this the one scheduler of the store, and every write of the run store is fenced with it.
    /// </remarks>
    public static Task<(JobHost? Host, string? Error)> OpenAsync(YardConfig config, string dataDirectory, ResourceLedger? ledger, InferenceStepExecutor? inference, ClusterEngines clusters, LeaseFence? fence, ILoggerFactory logging, TimeProvider time, CancellationToken cancellationToken) =>
        OpenAsync(config, dataDirectory, ledger, inference, clusters, fence, embedded: false, logging, time, cancellationToken);

    private static async Task<(JobHost? Host, string? Error)> OpenAsync(YardConfig config, string dataDirectory, ResourceLedger? ledger, InferenceStepExecutor? inference, ClusterEngines clusters, LeaseFence? fence, bool embedded, ILoggerFactory logging, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(clusters);
        ArgumentNullException.ThrowIfNull(logging);
        if (config.Store.IsPostgres && fence is null)
        {
            // Without the lease, a second scheduler would run the same runs as the elected one.
            return (null, "the store is shared (store.url): only the instance holding the scheduler's lease runs pipelines; submit through a server with yard run --server URL");
        }

        DataFolderLock? @lock = null;
        if (fence is null)
        {
            (@lock, var held) = DataFolderLock.Take(dataDirectory);
            if (@lock is null)
            {
                return (null, held);
            }
        }

        var (stateDirectory, stateError) = StateDirectory();
        if (stateError is not null)
        {
            @lock?.Dispose();
            return (null, stateError);
        }

        IRunStore? store = null;
        DockerExecutor? docker = null;
        try
        {
            store = await StoreOpener.OpenRunsAsync(config.Store, Path.Combine(dataDirectory, "yard.db"), time, fence, cancellationToken);
            var executors = new List<IStepExecutor> { new ProcessExecutor(new ProcessExecutorOptions { StateDirectory = stateDirectory, CpuWeights = config.Jobs.CpuWeights }, time) };
            if (inference is not null)
            {
                executors.Add(inference);
            }

            if (DockerConfigured(config))
            {
                docker = new DockerExecutor(new DockerExecutorOptions { SocketPath = config.Jobs.DockerSocket, StopGrace = config.Jobs.StopGrace }, time);
                executors.Add(docker);
            }

            executors.AddRange(clusters.Executors);

            var options = new JobSchedulerOptions
            {
                RunsDirectory = Path.Combine(dataDirectory, "runs"),
                DefaultExecutor = config.Jobs.Executor,
                EngineQueues = EngineQueues(config.Jobs),
                Placement = config.Jobs.Placement,
                Backfill = config.Jobs.Backfill,
                MaxRunning = config.Jobs.MaxRunning,
                StopGrace = config.Jobs.StopGrace,
                InferenceTasks = inference is null ? null : inference.Tasks,
                AllowedDirectories = config.Jobs.AllowedDirs,
                SourceFolderAllowed = embedded,
            };
            var scheduler = new JobScheduler(options, store, executors, ledger ?? new ResourceLedger([LocalNode(config.Devices), .. clusters.Nodes]), time, logging.CreateLogger<JobScheduler>());
            await scheduler.StartAsync(cancellationToken);
            return (new JobHost(@lock, store, docker, scheduler, dataDirectory), null);
        }
        catch
        {
            docker?.Dispose();
            if (store is not null)
            {
                await store.DisposeAsync();
            }

            @lock?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A RAM-backed folder for the process executor's pid and status files (<c>/dev/shm/yardmaster-USER</c>) when the
    /// machine has one: a file created on disk costs a step about 0.7 ms here, in RAM a few microseconds. Null (the
    /// attempt's own folder under the data folder) otherwise. The folder is private (0700, this user's: see
    /// <see cref="PrivateStateDirectory"/>); an error when another user owns it.
    /// </summary>
    private static (string? Path, string? Error) StateDirectory()
    {
        if (OperatingSystem.IsWindows() || !Directory.Exists("/dev/shm"))
        {
            return (null, null);
        }

        var path = Path.Combine("/dev/shm", "yardmaster-" + System.Environment.UserName);
        return PrivateStateDirectory.Prepare(path) is { } error ? (null, error) : (path, null);
    }

    /// <summary>Stops the scheduler (running steps keep running; the next scheduler re-attaches), closes the store and releases the lock.</summary>
    public async ValueTask DisposeAsync()
    {
        await Scheduler.DisposeAsync();
        _docker?.Dispose();
        await _store.DisposeAsync();
        _lock?.Dispose();
    }

    /// <summary>Records the URL of the server hosting this scheduler, so a second scheduler refused on the folder can name it.</summary>
    public void RecordUrl(Uri url) => _lock?.RecordUrl(url);
}
