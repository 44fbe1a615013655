using Yardmaster.Core.Models;

namespace Yardmaster.Runtime.Serving;

public sealed partial class ServingScheduler
{
    /// <summary>
    /// Gives the slot back. <paramref name="success"/> with a <paramref name="serviceTime"/> updates the
    /// model's service-time estimate. Wakes the next queued request. Idempotent.
    /// </summary>
    public void Release(Lease lease, bool success, TimeSpan? serviceTime)
    {
        ArgumentNullException.ThrowIfNull(lease);
        lock (_gate)
        {
            ReleaseLocked(lease, success, serviceTime);
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
            ReleaseLocked(lease, success: false, serviceTime: null);
            if (lease.Replica.State is ReplicaState.Ready or ReplicaState.Draining)
            {
                MarkFailed(lease.Replica, reason);
            }
        }
    }

    private void ReleaseLocked(Lease lease, bool success, TimeSpan? serviceTime)
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
        replica.LastUsed = now;
        replica.Uses++;
        if (success && serviceTime is { } observed)
        {
            model.Service.Observe(observed);
        }

        if (replica.State == ReplicaState.Draining && replica.InFlight == 0)
        {
            BeginUnload(replica, UnloadReason.Idle, "drained");
        }
        else if (replica.State == ReplicaState.Ready && replica.InFlight == 0 && model.Queue.Count == 0
            && model.Definition.KeepAlive == TimeSpan.Zero && model.Count(ReplicaState.Ready) > model.Definition.ReplicasMin)
        {
            BeginUnload(replica, UnloadReason.Idle, "keep_alive 0");
        }

        Pump(model);
        PumpBlocked();
    }

    /// <summary>Hands free slots to queued requests in policy order, then loads or scales out if requests still wait.</summary>
    private void Pump(ModelEntry model)
    {
        var now = _time.GetUtcNow();
        var dispatched = false;
        while (model.Queue.Count > 0)
        {
            var snapshots = new List<ReplicaSnapshot>(model.Replicas.Count);
            foreach (var r in model.Replicas)
            {
                snapshots.Add(r.Snapshot());
            }

            var chosen = _policies.Routing.Choose(snapshots);
            if (chosen < 0)
            {
                break;
            }

            var next = (PendingRequest)model.Queue.Dequeue(now)!;
            var replica = model.Replicas[chosen];
            replica.InFlight++;
            _eviction.GetValueOrDefault(replica.Device)?.OnUse(model.Definition.Name, now);
            next.ServedBy = replica;
            next.Trace.Dispatched(new TraceDispatch(now, replica.Number, replica.Device, now - next.Arrival));
            next.Completion.TrySetResult(new Lease(replica, next, now - next.Arrival));
            dispatched = true;
        }

        if (dispatched)
        {
            SamplePositions(model, now);
        }

        if (model.Queue.Count > 0)
        {
            ScaleOut(model, now);
        }
    }

    /// <summary>Retries loads for models whose requests wait for memory (after a release or unload freed some).</summary>
    private void PumpBlocked()
    {
        foreach (var model in _models.Values)
        {
            if (model.Queue.Count > 0 && model.Count(ReplicaState.Ready) + model.Count(ReplicaState.Loading) == 0)
            {
                ScaleOut(model, _time.GetUtcNow());
            }
        }
    }

    /// <summary>
    /// Starts a replica when requests wait and none is coming: the first one for a cold model, or one more
    /// (up to <c>replicas.max</c>) when the predicted wait of the queue exceeds the SLO budget of its tasks.
    /// One load at a time per model (single flight).
    /// </summary>
    private void ScaleOut(ModelEntry model, DateTimeOffset now)
    {
        if (model.Removed || _disposed || model.Count(ReplicaState.Loading) > 0 || now < model.NextLoadAt)
        {
            return;
        }

        var active = model.Count(ReplicaState.Ready);
        if (active >= model.Definition.ReplicasMax)
        {
            return;
        }

        if (active > 0)
        {
            var wait = model.ServiceEstimate * (model.Queue.Count / (double)model.ReadySlots());
            if (wait <= Budget(model))
            {
                return;
            }
        }

        StartLoad(model, now);
    }

    /// <summary>The tightest queueing budget among the tasks that use the model: their TTFT SLO, else half their latency SLO, else 1 s.</summary>
    private TimeSpan Budget(ModelEntry model)
    {
        var budget = TimeSpan.MaxValue;
        foreach (var task in _tasks.Values)
        {
            if (task.Definition.Models.Contains(model.Definition.Name))
            {
                var b = task.Definition.Ttft ?? (task.Definition.Latency / 2) ?? TimeSpan.FromSeconds(1);
                budget = b < budget ? b : budget;
            }
        }

        return budget == TimeSpan.MaxValue ? TimeSpan.FromSeconds(1) : budget;
    }
}
