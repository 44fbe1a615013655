using System.Globalization;
using Yardmaster.Core.Models;

namespace Yardmaster.Runtime.Serving;

public sealed partial class ServingScheduler
{
    private readonly DecisionTraces _traces = new();
    private readonly HashSet<PendingRequest> _live = [];
    private long _unnamed;

    /// <summary>
    /// The decision trace of request <paramref name="requestId"/>: live, or among the last
    /// <see cref="DecisionTraces.Capacity"/> finished; null when unknown. Thread-safe; a copy.
    /// </summary>
    public DecisionTrace? Trace(string requestId)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        lock (_gate)
        {
            return _traces.Find(requestId);
        }
    }

    /// <summary>The queued and running requests, oldest first, with waits and predicted starts as of now. Thread-safe; a copy.</summary>
    public IReadOnlyList<RequestSnapshot> Requests()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var positions = new Dictionary<PendingRequest, int>();
            foreach (var model in _live.Select(p => p.Model).Distinct())
            {
                var queued = QueuedOf(model);
                for (var i = 0; i < queued.Count; i++)
                {
                    positions[queued[i]] = i + 1;
                }
            }

            var list = new List<RequestSnapshot>(_live.Count);
            foreach (var p in _live.OrderBy(p => p.Id))
            {
                if (p.ServedBy is { } r)
                {
                    var queueTime = p.Trace.Dispatch?.QueueTime ?? TimeSpan.Zero;
                    list.Add(new RequestSnapshot(p.Trace.RequestId, p.Task, p.Priority, p.Model.Definition.Name, RequestState.Running, queueTime, null, null, r.Number, r.Device, p.Arrival));
                }
                else if (positions.TryGetValue(p, out var position))
                {
                    var candidate = Candidate(p.Model, p.Priority, p.TaskEntry.Definition, now, embedding: p.Embedding) with { Queued = position - 1 };
                    var predicted = ModelSelection.PredictStart(candidate);
                    list.Add(new RequestSnapshot(p.Trace.RequestId, p.Task, p.Priority, p.Model.Definition.Name, RequestState.Queued, now - p.Arrival, predicted, position, null, null, p.Arrival));
                }
            }

            return list;
        }
    }

    /// <summary>The queued requests of <paramref name="model"/> in the order they would be served by class, then arrival.</summary>
    private List<PendingRequest> QueuedOf(ModelEntry model) =>
        [.. _live.Where(p => p.Model == model && p.ServedBy is null && p.Queued).OrderBy(p => p.Priority).ThenBy(p => p.Id)];

    /// <summary>Samples the queue position of each request queued on <paramref name="model"/> (after it changed).</summary>
    private void SamplePositions(ModelEntry model, DateTimeOffset now)
    {
        var queued = QueuedOf(model);
        for (var i = 0; i < queued.Count; i++)
        {
            queued[i].Trace.Position(now, i + 1);
        }
    }

    /// <summary>Ends a request's trace and forgets it as live.</summary>
    private void Finish(PendingRequest request, string outcome, Refusal? refusal = null)
    {
        _live.Remove(request);
        _traces.Finish(request.Trace, _time.GetUtcNow(), outcome, refusal);
    }

    /// <summary>Tells the requests queued on <paramref name="model"/> (that wait for no load yet) which load they wait for.</summary>
    private void NoteLoad(ModelEntry model, Replica replica)
    {
        var cold = model.Count(ReplicaState.Ready) == 0;
        var load = new TraceLoad(model.Definition.Name, replica.Number, replica.Device, replica.LoadStarted, replica.Evictions, cold);
        foreach (var p in _live)
        {
            if (p.Model == model && p.ServedBy is null && p.Trace.Load is null)
            {
                p.Trace.Load = load;
            }
        }
    }

    /// <summary>Tells the requests queued on <paramref name="model"/> that its load is blocked, and by whom.</summary>
    private void NoteBlocked(ModelEntry model, DateTimeOffset now)
    {
        List<PendingRequest>? waiting = null;
        foreach (var p in _live)
        {
            if (p.Model == model && p.ServedBy is null)
            {
                (waiting ??= []).Add(p);
            }
        }

        if (waiting is null)
        {
            return;
        }

        var wait = new MemoryWait(now, model.Definition.Name, model.Blocked ?? "no memory", Holders(model));
        foreach (var p in waiting)
        {
            p.Trace.WaitedForMemory(wait);
        }
    }

    /// <summary>The replicas on <paramref name="model"/>'s devices that hold memory and cannot be evicted now, with the requests they serve.</summary>
    private List<MemoryHolder> Holders(ModelEntry model)
    {
        var devices = _ledger.Devices(LocalDevice(model.Definition)).ToHashSet(StringComparer.Ordinal);
        var holders = new List<MemoryHolder>();
        foreach (var m in _models.Values)
        {
            foreach (var r in m.Replicas)
            {
                if (!devices.Contains(r.Device) || r.Memory == 0 || r.Snapshot().Evictable)
                {
                    continue;
                }

                var requests = _live.Where(p => p.ServedBy == r).Select(p => new HolderRequest(p.Task, p.Priority)).Distinct().ToList();
                var why = r.State == ReplicaState.Loading ? "loading" : requests.Count > 0 || r.InFlight > 0 ? "busy" : m.Definition.Pinned ? "pinned" : r.State.ToString().ToLowerInvariant();
                holders.Add(new MemoryHolder(m.Definition.Name, r.Number, r.Device, r.Memory, why, requests));
            }
        }

        return holders;
    }

    /// <summary>What occupies <paramref name="model"/>'s slots, in words, for a refusal: e.g. "1 of 1 slots busy with task `chat` (normal)".</summary>
    private string Occupancy(ModelEntry model)
    {
        var tasks = _live.Where(p => p.Model == model && p.ServedBy is not null).Select(p => $"task `{p.Task}` ({Core.PriorityClasses.Name(p.Priority)})").Distinct().ToList();
        var busy = string.Create(CultureInfo.InvariantCulture, $"{model.InFlight()} of {model.ReadySlots()} slots busy");
        return tasks.Count > 0 ? $"{busy} with {string.Join(", ", tasks)}" : busy;
    }
}
