using Yardmaster.Core.Models;
using Yardmaster.Core.Serving;

namespace Yardmaster.Simulation.Serving;

internal sealed partial class ServingSimulation
{
    private void Pump(SimModel model)
    {
        if (model.Queue.Count == 0)
        {
            return;
        }

        if (Verify && !model.Consistent())
        {
            throw new InvalidOperationException($"the counts or snapshots kept for {model.Definition.Name} differ from a scan");
        }

        var state = model.State();
        foreach (var doomed in model.Queue.Doomed(_now, ServingPass.SheddingSlots(state)))
        {
            RefuseQueued(model, (SimRequest)doomed, AdmissionVerdict.DeadlineUnmeetable);
        }

        var plan = ServingPass.Dispatch(state with { Queued = model.Queue.Count }, model.Snapshots(), _routing, false, _now);
        foreach (var index in plan.Replicas)
        {
            var next = (SimRequest)model.Queue.Dequeue(_now)!;
            Hand(model, model.Replicas[index], next);
        }

        // As the live scheduler: the queue's next requests go to busy replicas whose engines preempt, while one holds fewer
        // requests at least as urgent than it has slots; its least urgent sequence pauses (see Rate).
        var preempting = 0;
        if (Preempts(model))
        {
            while (model.Queue.Peek(_now) is SimRequest next && ServingPass.PreemptTarget(model.Snapshots(), next.Priority) is var index and >= 0)
            {
                model.Queue.Dequeue(_now);
                Hand(model, model.Replicas[index], next);
                preempting++;
            }
        }

        // The pass decided on the queue it saw; requests that got a slot by preemption no longer need another replica.
        if (plan.ScaleOut && (preempting == 0 || ServingPass.ShouldScaleOut(state with { Queued = model.Queue.Count }, false, _now)))
        {
            StartLoad(model);
        }
    }

    /// <summary>True when <paramref name="model"/>'s replicas preempt in their engines in this run.</summary>
    private bool Preempts(SimModel model) => _policies.EnginePreemption && model.Definition.PreemptsInEngine;

    /// <summary>Gives <paramref name="next"/> (just dequeued) a slot on <paramref name="replica"/>, or a place in its engine that preempts.</summary>
    private void Hand(SimModel model, SimReplica replica, SimRequest next)
    {
        DropWait(next);
        replica.InFlight++;
        replica.CountClass(next.Priority, 1);
        InFlightChanged?.Invoke(replica);
        EvictionFor(replica.Device).OnUse(model.Definition.Name, _now); // every use counts, also before the device's first eviction
        next.ServedBy = replica;
        next.Start = _now;
        if (replica.Running is { } running && next.TraceService is null)
        {
            Join(replica, running, next);
            if (replica.Preempts || _now + model.Speed.Slowest(next.PromptTokens, next.OutputTokens) > next.Deadline)
            {
                ScheduleCutoff(next); // its finish moves as others start and end (or it may be paused): it may pass it
            }

            return;
        }

        next.FirstToken = _now + (next.TraceService is null ? model.Speed.Prefill(next.PromptTokens) : TimeSpan.Zero);
        var finish = _now + (next.TraceService ?? model.Speed.Service(next.PromptTokens, next.OutputTokens));
        Schedule(finish, EventKind.Finish, next);
        if (finish > next.Deadline)
        {
            ScheduleCutoff(next);
        }
    }

    /// <summary>A request starts on a replica whose rates depend on concurrency: its work is counted, and the replica's requests are re-rated once this event is handled.</summary>
    private void Join(SimReplica replica, List<SimRequest> running, SimRequest request)
    {
        request.PrefillLeft = request.PromptTokens;
        request.DecodeLeft = request.OutputTokens;
        request.RatedAt = _now;
        request.FirstToken = _now;
        running.Add(request);
        MarkUnrated(replica);
    }

    /// <summary>
    /// The replica's next finish came (its live event: see <see cref="SimReplica.NextSeq"/>): the request due first leaves
    /// its running requests (the others are re-rated once this event is handled), and ends.
    /// </summary>
    private void NextFinish(SimReplica replica)
    {
        var running = replica.Running!;
        var first = 0;
        for (var i = 1; i < running.Count; i++)
        {
            if (running[i].FinishAt < running[first].FinishAt)
            {
                first = i;
            }
        }

        var request = running[first];
        running.RemoveAt(first);
        MarkUnrated(replica);
        Finish(request);
    }

    private void MarkUnrated(SimReplica replica)
    {
        if (!replica.Unrated)
        {
            replica.Unrated = true;
            _unrated.Add(replica);
        }
    }

    /// <summary>Re-rates the requests of every replica where one started or ended during the event just handled.</summary>
    private void RateUnrated()
    {
        foreach (var replica in _unrated)
        {
            replica.Unrated = false;
            Rate(replica);
        }

        _unrated.Clear();
    }

    /// <summary>
    /// Brings each request on <paramref name="replica"/> up to now at the rates it had, gives it the rates for the number
    /// running now and its finish at them, and schedules the replica's next finish (one event per replica, whatever its
    /// slots: an earlier one is stale, see <see cref="SimReplica.NextSeq"/>).
    /// </summary>
    private void Rate(SimReplica replica)
    {
        var running = replica.Running!;
        if (Verify && running.Count != replica.InFlight)
        {
            throw new InvalidOperationException($"replica {replica.Number} of {replica.Model.Definition.Name} lists {running.Count} running requests, counts {replica.InFlight}");
        }

        // An engine that preempts runs its most urgent requests, the earliest started first within a class, in its slots; the
        // others wait paused, their progress kept (the engine keeps or recomputes their caches; the recompute is not modelled).
        var slots = replica.Model.Definition.Slots;
        if (replica.Preempts && running.Count > slots)
        {
            running.Sort(static (a, b) => a.Priority != b.Priority ? a.Priority.CompareTo(b.Priority) : a.Start!.Value.CompareTo(b.Start!.Value));
        }

        var active = replica.Preempts ? Math.Min(running.Count, slots) : running.Count;
        var speed = replica.SpeedNow ?? replica.Model.Speed;
        var prefill = speed.PrefillAt(active);
        var decode = speed.DecodeAt(active);
        var next = DateTimeOffset.MaxValue;
        var rated = 0;
        for (var i = 0; i < running.Count; i++)
        {
            var request = running[i];
            Progress(request);
            if (rated >= active)
            {
                request.PrefillRate = request.DecodeRate = 0; // paused
                request.FinishAt = DateTimeOffset.MaxValue;
                continue;
            }

            rated++;
            request.PrefillRate = prefill;
            request.DecodeRate = decode;
            var toFirst = request.PrefillLeft / prefill;
            if (request.PrefillLeft > 0)
            {
                request.FirstToken = _now + TimeSpan.FromSeconds(toFirst);
            }

            request.FinishAt = _now + TimeSpan.FromSeconds(toFirst + (request.DecodeLeft / decode));
            next = request.FinishAt < next ? request.FinishAt : next;
        }

        replica.NextSeq = running.Count == 0 ? -1 : Schedule(next, EventKind.NextFinish, replica);
    }

    /// <summary>The work <paramref name="request"/> did since it was last rated, at the rates it had: prompt first, then output.</summary>
    private void Progress(SimRequest request)
    {
        var elapsed = (_now - request.RatedAt).TotalSeconds;
        request.RatedAt = _now;
        if (elapsed <= 0)
        {
            return;
        }

        if (request.PrefillRate == 0 && request.DecodeRate == 0)
        {
            return; // paused
        }

        if (request.PrefillLeft > 0)
        {
            var toFirst = request.PrefillLeft / request.PrefillRate;
            if (elapsed < toFirst)
            {
                request.PrefillLeft -= elapsed * request.PrefillRate;
                return;
            }

            request.PrefillLeft = 0; // its first token came at the time its last rating set
            elapsed -= toFirst;
        }

        request.DecodeLeft = Math.Max(0, request.DecodeLeft - (elapsed * request.DecodeRate));
    }

    /// <summary>Retries the loads of models whose requests wait for memory, the longest-waiting first (as the live scheduler does).</summary>
    private void PumpBlocked()
    {
        List<SimModel>? waiting = null;
        foreach (var model in _models)
        {
            if (model.Queue.Count == 0)
            {
                model.BlockedFor = null; // nothing waits for the memory any more
            }

            if (model.Queue.Count > 0 && model.Count(ReplicaState.Ready) + model.Count(ReplicaState.Loading) == 0
                && ServingPass.ShouldScaleOut(model.State(), false, _now))
            {
                (waiting ??= []).Add(model);
            }
        }

        if (waiting is null)
        {
            return;
        }

        // As live: the model blocked for the most urgent requests first, then the longest-waiting.
        foreach (var model in waiting.Count == 1 ? waiting : waiting.OrderBy(m => m.BlockedFor is { } c ? (int)c : int.MaxValue).ThenBy(m => m.BlockedSince ?? DateTimeOffset.MaxValue).ToList())
        {
            StartLoad(model);
        }
    }

    private void UnloadIdle(SimModel model)
    {
        var idle = ServingPass.IdleUnloads(model.State(), model.Snapshots(), _now);
        if (idle.Count == 0)
        {
            return;
        }

        foreach (var replica in idle.Select(i => model.Replicas[i]).ToList())
        {
            Unload(replica);
        }
    }

    private void StartLoad(SimModel model)
    {
        var waiting = model.Queue.MostUrgent;
        if (BlockedAhead(model, waiting))
        {
            // A more urgent model waits for memory on these devices: what frees up is its (drained for it).
            model.BlockedSince ??= _now;
            model.BlockedFor = waiting;
            return;
        }

        var plan = PlanLoad(model, waiting);
        foreach (var drain in plan.Drains)
        {
            // Busy only with less urgent requests: no new ones; it unloads when they end, and the load is retried then.
            var drained = _byName[drain.Model].Replicas.First(r => r.Number == drain.Replica);
            drained.State = ReplicaState.Draining;
        }

        if (plan.Device is not { } device)
        {
            model.BlockedSince ??= _now;
            model.BlockedFor = waiting;
            return;
        }

        model.BlockedSince = null;
        model.BlockedFor = null;

        foreach (var victim in plan.Victims)
        {
            Unload(_byName[victim.Model].Replicas.First(r => r.Number == victim.Replica));
        }

        var numbers = model.Replicas.Select(r => r.Number).ToHashSet();
        var replica = new SimReplica(model, Enumerable.Range(0, numbers.Count + 1).First(n => !numbers.Contains(n)), _devices[device], _replicaSeq++, Preempts(model)) { Memory = model.Memory, LastUsed = _now, LoadedFor = waiting };
        var loadTime = model.Speed.LoadTime ?? _sampleLoad();
        replica.LoadCost = loadTime;
        model.Add(replica);
        replica.Account.Charge(replica.Memory);
        model.Loads++;
        model.LoadTime += loadTime;
        model.BytesLoaded += replica.Memory;
        Schedule(_now + loadTime, EventKind.Loaded, replica);
    }

    /// <summary>True when another model on the same kind of device waits for memory for requests more urgent than <paramref name="waiting"/> (as live).</summary>
    private bool BlockedAhead(SimModel model, Core.PriorityClass? waiting)
    {
        foreach (var other in _models)
        {
            if (other != model && other.BlockedFor is { } blockedFor && (waiting is null || blockedFor < waiting)
                && other.Queue.Count > 0 && other.Definition.Device == model.Definition.Device)
            {
                return true;
            }
        }

        return false;
    }

    private void Loaded(SimReplica replica)
    {
        if (replica.State != ReplicaState.Loading)
        {
            return;
        }

        replica.State = ReplicaState.Ready;
        replica.LastUsed = replica.ReadyAt = _now;
        replica.Model.LoadEstimate = replica.LoadCost;
        Pump(replica.Model);
    }

    /// <summary>Unloads at once (busy replicas are never chosen: eviction and idle unloads take idle ones only).</summary>
    private static void Unload(SimReplica replica)
    {
        replica.State = ReplicaState.Unloaded;
        replica.Account.Refund(replica.Memory);
        replica.Model.Remove(replica);
    }
}
