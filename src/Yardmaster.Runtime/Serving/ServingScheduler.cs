using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;
using Yardmaster.Core.Serving;

namespace Yardmaster.Runtime.Serving;

/// <summary>
/// The request scheduler and the model manager in one place, because both decide under the same lock:
/// per-model queues ordered by the queue policy, admission (task concurrency and rate, queue bounds,
/// deadline feasibility), model selection among a task's candidates, routing to replicas, single-flight
/// loads within per-device memory budgets with eviction, keep-alive unloads, warm minimums, scale-out,
/// and restart with backoff of replicas that die.
/// </summary>
/// <remarks>
/// Locking: every field is guarded by <c>_gate</c>. Promises (<see cref="PendingRequest.Completion"/>) are
/// completed under it with asynchronous continuations, so no user code runs under the lock. Backend I/O
/// (start, dispose) runs outside it on the thread pool and reports back by taking the lock. No continuation
/// of ours runs synchronously: the lock is reentrant, and a continuation run inline on a completed task
/// (an unload that finished at once) would re-enter a decision half made (it once started a second load).
/// </remarks>
public sealed partial class ServingScheduler : IAsyncDisposable
{
    private static readonly TimeSpan _tick = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan _maxBackoff = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private SchedulerSettings _settings;
    private readonly IReplicaLauncher _launcher;
    private ServingPolicies _policies;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly MemoryLedger _ledger;
    private readonly Dictionary<string, IEvictionPolicy> _eviction = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ModelEntry> _models = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TaskEntry> _tasks = new(StringComparer.Ordinal);
    private readonly HashSet<Task> _background = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly ITimer _timer;
    private long _nextId;
    private bool _disposed;

    /// <summary>Creates the scheduler with no models; call <see cref="SetModels"/>.</summary>
    public ServingScheduler(SchedulerSettings settings, DeviceSettings devices, IReplicaLauncher launcher, ServingPolicies policies, TimeProvider time, ILogger? log = null)
        : this(settings, devices, launcher, policies, time, log, nodeLedger: null)
    {
    }

    /// <summary>Creates the scheduler with no models, charging host model memory also to <paramref name="nodeLedger"/>'s node 0, the ledger pipeline steps are placed on.</summary>
    public ServingScheduler(SchedulerSettings settings, DeviceSettings devices, IReplicaLauncher launcher, ServingPolicies policies, TimeProvider time, ILogger? log, Ledger.ResourceLedger? nodeLedger)
    {
        ArgumentNullException.ThrowIfNull(devices);
        _settings = settings;
        _launcher = launcher;
        _policies = policies;
        _time = time;
        _log = log ?? NullLogger.Instance;
        _ledger = new MemoryLedger(devices, nodeLedger);
        _timer = time.CreateTimer(_ => Housekeep(), null, _tick, _tick);
    }

    /// <summary>Raised (outside the lock, on the thread pool) when a replica loads, fails or is unloaded.</summary>
    public event Action<ServingEvent>? Changed;

    /// <summary>
    /// Replaces the set of models. New ones are added (with the replicas still running from an earlier server, see
    /// <see cref="IReplicaLauncher.ClaimRunning"/>; then unloaded, or warmed to <c>replicas.min</c>); changed
    /// ones keep their replicas until those are unloaded; removed ones drain and disappear.
    /// </summary>
    public void SetModels(IEnumerable<ModelDefinition> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        lock (_gate)
        {
            var wanted = models.ToDictionary(m => m.Name, StringComparer.Ordinal);
            foreach (var (name, entry) in _models)
            {
                if (!wanted.ContainsKey(name))
                {
                    entry.Removed = true;
                    Unclaim(entry);
                    FailQueued(entry, new Refusal(404, "model_not_found", $"model '{name}' was removed"));
                    foreach (var r in entry.Replicas.ToList())
                    {
                        BeginUnload(r, UnloadReason.Removed, "model removed");
                    }
                }
            }

            foreach (var (name, definition) in wanted)
            {
                var normalized = Normalize(definition);
                var estimate = _launcher.EstimateMemory(normalized);
                if (_models.TryGetValue(name, out var entry) && !entry.Removed)
                {
                    entry.Definition = normalized;
                    entry.MemoryEstimate = estimate.Bytes;
                }
                else
                {
                    entry = new ModelEntry(normalized, _policies.Queue.CreateQueue(_settings.QueueOptions), estimate.Bytes);
                    _models[name] = entry;
                    AdoptRunning(entry);
                }

                entry.EstimateError = estimate.Error;
            }

            EnsureMinimums();
        }
    }

    /// <summary>A consistent picture of every model, replica and device for the API and the CLI.</summary>
    public SchedulerSnapshot Snapshot()
    {
        lock (_gate)
        {
            var models = _models.Values.Where(m => !m.Removed).OrderBy(m => m.Definition.Name, StringComparer.Ordinal).Select(m => new ModelStatus(
                m.Definition.Name,
                m.Definition.Backend,
                m.Queue.Count,
                m.InFlight(),
                m.MemoryEstimate,
                m.LoadEstimate,
                m.ServiceEstimate,
                m.EstimateError ?? m.Blocked,
                [.. m.Replicas.Select(r => r.Snapshot())],
                m.Failures,
                m.LastFailure)).ToList();
            var tasks = _tasks.Values.OrderBy(t => t.Definition.Name, StringComparer.Ordinal).Select(t => new TaskStatus(t.Definition.Name, t.Admitted, t.QualityUnmet)).ToList();
            var devices = _ledger.Snapshot().Select(d => new DeviceStatus(d.Device, d.Budget, d.Used)).ToList();
            return new SchedulerSnapshot(models, tasks, devices);
        }
    }

    /// <summary>Stops the timer, refuses what is queued, unloads every replica and waits for the unloads.</summary>
    public async ValueTask DisposeAsync()
    {
        Task[] pending;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _timer.Dispose();
            foreach (var entry in _models.Values)
            {
                Unclaim(entry); // steps may have the memory back
            }

            foreach (var entry in _models.Values)
            {
                FailQueued(entry, new Refusal(503, "shutting_down", "the server is shutting down"));
                foreach (var r in entry.Replicas.ToList())
                {
                    r.InFlight = 0;
                    Array.Clear(r.InFlightByClass);
                    BeginUnload(r, UnloadReason.Shutdown, "shutdown");
                }
            }

            pending = [.. _background];
        }

        // Outside the lock: cancellation runs the loads' and watchers' continuations inline.
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(pending).ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>The kind of local device whose memory account a model's replicas are charged to: a cluster backend's hold nothing here (charged 0 to the CPU's), whatever device they use on their node.</summary>
    private static DeviceKind LocalDevice(ModelDefinition model) => model.Backend.OnCluster() ? DeviceKind.Cpu : model.Device;

    private static ModelDefinition Normalize(ModelDefinition model) => ServingPass.Normalize(model);

    private void Track(Task task)
    {
        _background.Add(task);
        _ = task.ContinueWith(
            t =>
            {
                lock (_gate)
                {
                    _background.Remove(t);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
    }

    private void FailQueued(ModelEntry entry, Refusal refusal)
    {
        while (entry.Queue.Dequeue(_time.GetUtcNow()) is PendingRequest p)
        {
            p.TaskEntry.Admitted--;
            p.Completion.TrySetResult(refusal);
            Finish(p, "refused", refusal);
            Log.Refused(_log, p.Trace.RequestId, p.Task, refusal.Code, refusal.Message);
        }
    }
}
