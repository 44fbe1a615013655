using System.Globalization;
using Yardmaster.Core.Models;
using Yardmaster.Core.Serving;

namespace Yardmaster.Runtime.Serving;

public sealed partial class ServingScheduler
{
    /// <summary>
    /// Gives the slot back. <paramref name="success"/> with a <paramref name="serviceTime"/> updates the
    /// model's service-time estimate; with <paramref name="outputTokens"/> (the tokens the answer had) and the
    /// request's prompt tokens known, also its token rates, from which admission predicts each request's own service
    /// time. Wakes the next queued request. Idempotent.
    /// </summary>
    public void Release(Lease lease, bool success, TimeSpan? serviceTime, int? outputTokens = null)
    {
        ArgumentNullException.ThrowIfNull(lease);
        lock (_gate)
        {
            ReleaseLocked(lease, success, serviceTime, outputTokens);
        }
    }

    /// <summary>
    /// Reports that the replica behind <paramref name="lease"/> could not be reached (connection refused or
    /// reset before any byte of the answer): the replica is marked failed and restarted with backoff, and
    /// the slot is released. The caller retries elsewhere.
    /// </summary>
    public void ReportUnreachable(Lease lease, string reason)
    {
        ArgumentNullException.ThrowIfNull(lease);
        lock (_gate)
        {
            ReleaseLocked(lease, success: false, serviceTime: null, outputTokens: null);
            if (lease.Replica.State is ReplicaState.Ready or ReplicaState.Draining)
            {
                MarkFailed(lease.Replica, reason);
            }
        }
    }

    private void ReleaseLocked(Lease lease, bool success, TimeSpan? serviceTime, int? outputTokens)
    {
        if (lease.Released)
        {
            return;
        }

        lease.Released = true;
        Finish(lease.Request, success ? "completed" : "failed");
        var replica = lease.Replica;
        var model = replica.Model;
        var now = _time.GetUtcNow();
        lease.Request.TaskEntry.Admitted--;
        replica.InFlight = Math.Max(0, replica.InFlight - 1);
        ref var ofClass = ref replica.InFlightByClass[(int)lease.Request.Priority];
        ofClass = Math.Max(0, ofClass - 1);
        replica.LastUsed = now;
        replica.Uses++;
        if (success && serviceTime is { } observed && outputTokens is { } output && lease.Request.PromptTokens is { } prompt)
        {
            model.Service.Observe(lease.Request.Priority, observed, prompt, output, lease.Request.MaxTokens);
        }
        else if (success && serviceTime is { } time)
        {
            model.Service.Observe(lease.Request.Priority, time);
        }

        if (replica.State == ReplicaState.Draining && replica.InFlight == 0)
        {
            BeginUnload(replica, UnloadReason.Idle, "drained");
        }
        else
        {
            UnloadIdle(model, now);
        }

        Pump(model);
        PumpBlocked();
    }

    /// <summary>Hands free slots to queued requests in policy order (the serving pass's dispatch step), then loads one more replica if it says so.</summary>
    private void Pump(ModelEntry model)
    {
        var now = _time.GetUtcNow();
        if (model.Queue.Count == 0)
        {
            return;
        }

        var state = model.State(Budget(model));
        if (GiveUpDoomed(model, state, now))
        {
            state = state with { Queued = model.Queue.Count };
        }

        var plan = ServingPass.Dispatch(state, model.Snapshots(), _policies.Routing, _disposed, now);
        foreach (var index in plan.Replicas)
        {
            Hand((PendingRequest)model.Queue.Dequeue(now)!, model.Replicas[index], now, preempting: false);
        }

        var preempting = model.Definition.PreemptsInEngine ? DispatchPreempting(model, now) : 0;
        if (plan.Replicas.Count + preempting > 0)
        {
            SamplePositions(model, now);
        }

        // The pass decided on the queue it saw; requests that got a slot by preemption no longer need another replica.
        if (plan.ScaleOut && (preempting == 0 || ServingPass.ShouldScaleOut(state with { Queued = model.Queue.Count }, _disposed, now)))
        {
            StartLoad(model, now);
        }
        else if (model.Claimed > 0 && model.Count(ReplicaState.Ready) + model.Count(ReplicaState.Loading) > 0)
        {
            Unclaim(model); // a scale-out claimed memory from steps, and is no longer wanted
        }
    }

    /// <summary>
    /// Hands the queue's next requests to replicas with every slot busy whose engines preempt, while one holds fewer requests at
    /// least as urgent as the next than it has slots (<see cref="ServingPass.PreemptTarget"/>): its engine gives the request a
    /// less urgent one's slot. Returns how many.
    /// </summary>
    private int DispatchPreempting(ModelEntry model, DateTimeOffset now)
    {
        var handed = 0;
        // An embedding at the head waits for a free slot (engines do not preempt for one), and so does what is behind it.
        while (model.Queue.Peek(now) is PendingRequest { Embedding: false } next)
        {
            var index = ServingPass.PreemptTarget(model.Snapshots(), next.Priority);
            if (index < 0)
            {
                break;
            }

            model.Queue.Dequeue(now);
            Hand(next, model.Replicas[index], now, preempting: true);
            handed++;
        }

        return handed;
    }

    /// <summary>Gives <paramref name="next"/> (just dequeued) a lease on <paramref name="replica"/>.</summary>
    private void Hand(PendingRequest next, Replica replica, DateTimeOffset now, bool preempting)
    {
        replica.InFlight++;
        replica.InFlightByClass[(int)next.Priority]++;
        EvictionFor(replica.Device).OnUse(replica.Model.Definition.Name, now); // every use counts, also before the device's first eviction
        next.ServedBy = replica;
        next.Trace.Dispatched(new TraceDispatch(now, replica.Number, replica.Device, now - next.Arrival) { Preempting = preempting });
        next.Completion.TrySetResult(new Lease(replica, next, now - next.Arrival));
    }

    /// <summary>Retries loads for models whose requests wait for memory (after a release or unload freed some): those blocked for the most urgent requests first, then the longest-waiting.</summary>
    private void PumpBlocked()
    {
        var now = _time.GetUtcNow();
        List<ModelEntry>? waiting = null;
        foreach (var model in _models.Values)
        {
            if (model.Queue.Count == 0)
            {
                Unclaim(model); // nothing waits for the memory any more: steps may have it
                model.BlockedSince = null;
                model.BlockedFor = null;
                model.Drained.Clear();
            }

            if (model.Queue.Count > 0 && model.Count(ReplicaState.Ready) + model.Count(ReplicaState.Loading) == 0
                && ServingPass.ShouldScaleOut(model.State(Budget(model)), _disposed, now))
            {
                (waiting ??= []).Add(model);
            }
        }

        if (waiting is null)
        {
            return;
        }

        // Freed memory goes to the model blocked for the most urgent requests (memory drained or claimed from steps for it among them), then to the longest-waiting.
        foreach (var model in waiting.Count == 1 ? waiting : waiting.OrderBy(m => m.BlockedFor is { } c ? (int)c : int.MaxValue).ThenBy(m => m.BlockedSince ?? DateTimeOffset.MaxValue).ToList())
        {
            StartLoad(model, now);
        }
    }

    /// <summary>Unloads the model's idle replicas the serving pass's idle step names (beyond keep-alive, above the minimum, nothing queued).</summary>
    private void UnloadIdle(ModelEntry model, DateTimeOffset now)
    {
        var replicas = model.Snapshots();
        foreach (var index in ServingPass.IdleUnloads(model.State(Budget(model)), replicas, now))
        {
            var r = model.Replicas[index];
            var idle = now - replicas[index].LastUsed;
            BeginUnload(r, UnloadReason.Idle, model.Definition.KeepAlive == TimeSpan.Zero ? "keep_alive 0" : string.Create(CultureInfo.InvariantCulture, $"idle for {idle.TotalSeconds:0.#} s (keep_alive)"));
        }
    }

    /// <summary>The queueing budget of the tasks that use the model (<see cref="ServingPass.QueueBudget"/>).</summary>
    private TimeSpan Budget(ModelEntry model) => ServingPass.QueueBudget(model.Definition.Name, _tasks.Values.Select(t => t.Definition));
}
