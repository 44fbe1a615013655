using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Execution;
using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Placement;
using Yardmaster.Core.Runs;
using Yardmaster.Runtime.Ledger;

namespace Yardmaster.Runtime.Pipelines;

/// <summary>
/// Runs pipelines: one loop owns every active run and reacts to events (a submission, an attempt that started
/// or ended, a timer, a cancellation), never polling. Each turn drains the events, plans one scheduling pass
/// (<see cref="SchedulingPass"/> over the <see cref="ResourceLedger"/>), writes every transition of the turn to
/// the <see cref="IRunStore"/> in one batch, and only then acts (starts and stops attempts through the
/// executors). After a crash, <see cref="StartAsync"/> takes the unfinished runs back from the store and
/// re-attaches to their attempts.
/// </summary>
/// <remarks>Public methods are thread-safe. Only one scheduler may own a store at a time (the caller holds the lock).</remarks>
public sealed partial class JobScheduler : IAsyncDisposable
{
    private readonly JobSchedulerOptions _options;
    private readonly IRunStore _store;
    private readonly Dictionary<string, IStepExecutor> _executors;
    private readonly ResourceLedger _ledger;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SchedulingPass _pass;
    private readonly Channel<JobEvent> _events = Channel.CreateUnbounded<JobEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, ActiveRun> _runs = new(StringComparer.Ordinal);
    private readonly SortedSet<ReadyEntry> _ready = [];
    private readonly List<ActiveAttempt> _running = [];
    private readonly Dictionary<string, List<TaskCompletionSource<RunRecord>>> _waiters = new(StringComparer.Ordinal);
    private readonly Lock _waitersLock = new();
    private readonly RunStoreBatch _batch = new();
    private readonly List<ActiveAttempt> _toStart = [];
    private readonly List<(ActiveAttempt Attempt, TimeSpan Grace)> _toStop = [];
    private readonly List<Core.Execution.IStepProcess> _toDispose = [];
    private readonly List<string> _outputsRead = []; // removed once the outcomes that read them are in the store
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Completed once the loop has stopped: a reply not given by then never will be (<see cref="AnswerAsync{T}"/>).</summary>
    private readonly TaskCompletionSource<bool> _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _epoch;
    private Task? _loop;
    private long _sequence;
    private volatile Exception? _storeFault;

    /// <summary>Creates a scheduler; nothing runs until <see cref="StartAsync"/>.</summary>
    /// <exception cref="ArgumentException">The placement policy's name is unknown.</exception>
    public JobScheduler(JobSchedulerOptions options, IRunStore store, IEnumerable<IStepExecutor> executors, ResourceLedger ledger, TimeProvider time, ILogger logger)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _executors = (executors ?? throw new ArgumentNullException(nameof(executors))).ToDictionary(e => e.Name, StringComparer.Ordinal);
        _ledger = ledger ?? throw new ArgumentNullException(nameof(ledger));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        var placement = PlacementPolicies.Create(options.Placement)
            ?? throw new ArgumentException($"unknown placement policy '{options.Placement}'; use {string.Join(" | ", PlacementPolicies.Names)}", nameof(options));
        _pass = new SchedulingPass(placement, options.Backfill);
        _epoch = time.GetTimestamp();
        _ledger.Changed += () => _events.Writer.TryWrite(new JobEvent.Wake());
    }

    /// <summary>Runs and steps by state, for gauges.</summary>
    public JobCounts Counts { get; } = new();

    /// <summary>Raised on the scheduler's loop when an attempt ends (before its end is stored); handlers must be quick and must not throw.</summary>
    public event Action<AttemptEnd>? AttemptEnded;

    /// <summary>What pipelines are validated against here: the ledger's nodes, the container engine and the inference tasks when configured.</summary>
    public PipelineEnvironment Environment => new()
    {
        Nodes = _ledger.Nodes,
        DefaultExecutor = _options.DefaultExecutor,
        ContainerEngine = _executors.ContainsKey("docker") ? "docker" : null,
        InferenceTasks = _executors.ContainsKey("inference") ? _options.InferenceTasks?.Invoke() : null,
        AllowedDirectories = _options.AllowedDirectories,
        SourceFolderAllowed = _options.SourceFolderAllowed,
    };

    /// <summary>
    /// Why the last store write failed, while the scheduler is writing it again (a full disk); null when the store
    /// writes. Submissions, cancellations and retries are refused meanwhile with a <see cref="StoreWriteException"/>.
    /// </summary>
    public Exception? StoreFault => _storeFault;

    /// <summary>Takes over the unfinished runs of the store (re-attaching to their attempts) and starts the loop.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_loop is not null)
        {
            throw new InvalidOperationException("The scheduler is already started.");
        }

        await RecoverAsync(cancellationToken);
        _loop = Task.Run(() => LoopAsync(_stopping.Token), CancellationToken.None);
    }

    /// <summary>
    /// Validates a pipeline file's text and starts a run of it. Returns the run's id, or every error (file, line,
    /// field) with nothing started. The run is in the store when this returns.
    /// </summary>
    /// <exception cref="StoreWriteException">The store cannot write (a full disk): nothing was started.</exception>
    /// <exception cref="SchedulerStoppedException">The scheduler stopped (shut down, lost its lease) before the run was confirmed.</exception>
    public async Task<(string? RunId, IReadOnlyList<ConfigError> Errors)> SubmitAsync(string yaml, string sourceFile, CancellationToken cancellationToken)
    {
        var loaded = PipelineLoader.LoadText(yaml, sourceFile, Environment);
        if (loaded.Pipeline is not { } pipeline)
        {
            return (null, loaded.Errors);
        }

        ThrowIfStoreFailing();
        var id = await _store.NextRunIdAsync(cancellationToken);
        var runDirectory = Path.Combine(_options.RunsDirectory, id);
        var workingDirectory = pipeline.WorkingDirectory ?? Path.Combine(runDirectory, "work");
        try
        {
            Directory.CreateDirectory(workingDirectory);
            Directory.CreateDirectory(Path.Combine(runDirectory, "logs"));
        }
        catch (IOException e) when (StoreWriteException.IsDiskFull(e))
        {
            throw StoreWriteException.For(e, runDirectory, diskFull: true);
        }
        var record = new RunRecord
        {
            Id = id,
            Pipeline = pipeline.Name,
            Priority = pipeline.Priority,
            State = RunState.Running,
            Definition = yaml,
            SourceFile = sourceFile,
            WorkingDirectory = workingDirectory,
            CreatedAt = _time.GetUtcNow(),
        };
        var durations = await _store.DurationsAsync(pipeline.Name, cancellationToken);
        var run = Build(record, pipeline, durations, steps: null);
        var written = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_events.Writer.TryWrite(new JobEvent.Submitted(run, written)))
        {
            throw new SchedulerStoppedException("the job scheduler has stopped (this instance shut down or lost the scheduler's lease); nothing was submitted");
        }

        await AnswerAsync(written.Task, cancellationToken);
        return (id, []);
    }

    /// <summary>Cancels a running run: steps not started are cancelled, running ones stopped (SIGTERM, grace, SIGKILL). False when no such run is running.</summary>
    /// <exception cref="StoreWriteException">The store cannot write (<see cref="StoreFault"/>).</exception>
    public Task<bool> CancelAsync(string runId, string reason, CancellationToken cancellationToken)
    {
        ThrowIfStoreFailing();
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _events.Writer.TryWrite(new JobEvent.Cancel(runId, reason, done));
        return AnswerAsync(done.Task, cancellationToken);
    }

    /// <summary>
    /// Runs the failed, cancelled and skipped steps of an ended run again (only <paramref name="stepId"/> and the
    /// steps it skipped, when given). Returns null on success, else why not (no such run, still running, ...).
    /// </summary>
    /// <exception cref="StoreWriteException">The store cannot write (<see cref="StoreFault"/>).</exception>
    public async Task<string?> RetryAsync(string runId, string? stepId, CancellationToken cancellationToken)
    {
        ThrowIfStoreFailing();
        var detail = await _store.GetRunAsync(runId, cancellationToken);
        if (detail is null)
        {
            return $"there is no run {runId}";
        }

        if (!detail.Run.State.IsTerminal())
        {
            return $"run {runId} is still running; cancel it first or wait for it to end";
        }

        var loaded = PipelineLoader.LoadText(detail.Run.Definition, detail.Run.SourceFile, Environment);
        if (loaded.Pipeline is not { } pipeline)
        {
            return "the pipeline no longer validates: " + string.Join("; ", loaded.Errors.Select(e => e.ToString()));
        }

        var run = Build(detail.Run, pipeline, await _store.DurationsAsync(pipeline.Name, cancellationToken), detail.Steps);
        run.EarlierAttempts = detail.Attempts; // a map step's items that succeeded are not run again
        var done = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new JobEvent.Retry(run, stepId, done));
        return await AnswerAsync(done.Task, cancellationToken);
    }

    /// <summary>Completes with the run's final record once it has ended (at once if it already has); null when there is no such run.</summary>
    public async Task<RunRecord?> WaitAsync(string runId, CancellationToken cancellationToken)
    {
        var waiter = new TaskCompletionSource<RunRecord>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waitersLock)
        {
            if (!_waiters.TryGetValue(runId, out var list))
            {
                _waiters[runId] = list = [];
            }

            list.Add(waiter);
        }

        var detail = await _store.GetRunAsync(runId, cancellationToken);
        if (detail is null || detail.Run.State.IsTerminal())
        {
            lock (_waitersLock)
            {
                _waiters.GetValueOrDefault(runId)?.Remove(waiter);
            }

            // It may have ended between the registration and the read; the stored record is final either way.
            return detail?.Run;
        }

        return await waiter.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// The loop's reply to a change, once it is durable; <see cref="SchedulerStoppedException"/> when the loop stops first
    /// (the leader stepped down while the change waited for its store write): the caller hears at once, not at its timeout.
    /// </summary>
    private async Task<T> AnswerAsync<T>(Task<T> reply, CancellationToken cancellationToken)
    {
        var first = await Task.WhenAny(reply, _stopped.Task).WaitAsync(cancellationToken);
        if (first != reply && !reply.IsCompleted)
        {
            throw new SchedulerStoppedException();
        }

        return await reply;
    }

    /// <summary>Stops the loop. Running attempts are left running (a restarted scheduler re-attaches to them). Changes still waiting for an answer get <see cref="SchedulerStoppedException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        _events.Writer.TryComplete();
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }

        _stopped.TrySetResult(true);

        foreach (var attempt in _running)
        {
            attempt.TimeoutTimer?.Dispose();
            // The steps keep running; the ledger (shared with serving, and with the next scheduler of this process when
            // leadership comes back) forgets them: whoever schedules next reserves them again as it re-attaches.
            if (attempt.Node >= 0)
            {
                _ledger.Release(attempt.Node, attempt.Request, attempt.Gpus, Owner(attempt.Step));
            }
        }

        _stopping.Dispose();
    }

    /// <summary>Refuses a change once the loop has stopped, and while it cannot write its last turn: it would wait for the disk, not answer.</summary>
    private void ThrowIfStoreFailing()
    {
        if (_stopped.Task.IsCompleted)
        {
            throw new SchedulerStoppedException("the job scheduler has stopped (this instance shut down or lost the scheduler's lease); nothing was changed");
        }

        if (_storeFault is { } fault)
        {
            throw fault is StoreWriteException known ? new StoreWriteException(known.Message, known) : StoreWriteException.For(fault, _options.RunsDirectory, diskFull: false);
        }
    }

    private double Seconds => _time.GetElapsedTime(_epoch).TotalSeconds;

    private void Post(JobEvent e) => _events.Writer.TryWrite(e);
}
