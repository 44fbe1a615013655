using Yardmaster.Core.Models;
using Yardmaster.Core.Serving;

namespace Yardmaster.Simulation.Serving;

internal sealed partial class ServingSimulation
{
    private void Arrive(SimRequest request)
    {
        var task = _tasks[request.TaskIndex];
        IReadOnlyList<string> names = request.TraceModel is { } named ? [named] : task.Definition.Models;
        var candidates = new List<AdmissionCandidate>(names.Count);
        var entries = new List<SimModel?>(names.Count);
        foreach (var name in names)
        {
            if (!_byName.TryGetValue(name, out var model))
            {
                entries.Add(null);
                candidates.Add(new AdmissionCandidate(name, "not chosen: not a configured model", null, 0, false, default, false, false, null, 0, "", 0));
                continue;
            }

            entries.Add(model);
            var ready = model.ReadySlots();
            var (free, inFlight) = Preempts(model) ? model.SlotsFor(request.Priority) : (Math.Max(0, ready - model.InFlight()), model.InFlight());
            var loading = model.Count(ReplicaState.Loading);
            var backoff = model.NextLoadAt > _now ? model.NextLoadAt - _now : TimeSpan.Zero;
            var selection = new CandidateSnapshot(
                name, model.Definition.Cost, free, model.Queue.CountAhead(request.Priority, task.Definition.Name, task.Definition.Weight), inFlight, ready, model.Service.MeanFor(request.Priority, Preempts(model)), loading > 0,
                model.LoadEstimate + backoff, model.Definition.Slots, CanFitNow(model), model.Count(ReplicaState.Ready) + loading < model.Definition.ReplicasMax);
            var full = model.Queue.Count >= _setup.Scheduler.MaxQueue;
            candidates.Add(new AdmissionCandidate(
                name, null, selection, model.Queue.Count, full && model.Queue.Shed(request.Priority) is not null, model.Service.Predict(request.Priority, request.PromptTokens, request.OutputTokens), model.Service.HasSample(request.Priority),
                FitsSomeBudget(model), null, model.Memory, model.DeviceWords, model.Count(ReplicaState.Ready) + loading));
        }

        var decision = ServingPass.Admit(new AdmissionInput(
            _now, request.Priority, request.Deadline, false, task.Definition.Name, task.Definition.MaxConcurrency, task.Admitted, task.Bucket, candidates,
            _setup.Scheduler.MaxQueue, _setup.Scheduler.LoadWait) { JudgeDeadlines = _policies.Admission });
        if (decision.Verdict != AdmissionVerdict.Admitted)
        {
            End(request, SimOutcome.Refused, decision.Verdict);
            return;
        }

        var chosen = entries[decision.Model]!;
        if (decision.Shed && chosen.Queue.Shed(request.Priority) is SimRequest victim)
        {
            RefuseQueued(chosen, victim, AdmissionVerdict.QueueFull);
        }

        request.Model = chosen;
        request.Service = candidates[decision.Model].Service; // admission's prediction, which a shortest-first queue orders by
        request.WaitLimit = decision.WaitLimit;
        task.Admitted++;
        chosen.Queue.Enqueue(request);
        ScheduleWait(_now + decision.WaitLimit, request);
        Pump(chosen);
    }

    /// <summary>Takes a queued request out of its model's queue and refuses it (shed for a newcomer, or given up); nothing if it is no longer queued.</summary>
    private void RefuseQueued(SimModel model, SimRequest request, AdmissionVerdict verdict)
    {
        if (model.Queue.Remove(request))
        {
            DropWait(request);
            _tasks[request.TaskIndex].Admitted--;
            End(request, SimOutcome.Refused, verdict);
        }
    }

    /// <summary>A queued request's wait limit passed: it keeps waiting to its deadline when a replica is coming, else it is refused (504 at the deadline, 503 for memory).</summary>
    private void Wait(SimRequest request)
    {
        if (request.Outcome != SimOutcome.Pending || !request.Queued)
        {
            return;
        }

        var model = request.Model!;
        if (_now < request.Deadline && model.Count(ReplicaState.Ready) + model.Count(ReplicaState.Loading) > 0)
        {
            ScheduleWait(request.Deadline, request);
            return;
        }

        model.Queue.Remove(request);
        _tasks[request.TaskIndex].Admitted--;
        End(request, _now >= request.Deadline ? SimOutcome.Expired : SimOutcome.NoCapacity, null);
    }

    private void Finish(SimRequest request)
    {
        if (request.Outcome != SimOutcome.Pending)
        {
            return; // cut off at its deadline
        }

        var replica = request.ServedBy!;
        var model = replica.Model;
        replica.Uses++;
        if (request.TraceService is null)
        {
            model.Service.Observe(request.Priority, _now - request.Start!.Value, request.PromptTokens, request.OutputTokens, request.OutputTokens); // the token model decided: it teaches the rates
        }
        else
        {
            model.Service.Observe(request.Priority, _now - request.Start!.Value);
        }

        Release(request, SimOutcome.Completed);
    }

    /// <summary>
    /// A running request's deadline came before its end: the gateway stops answering it (504 <c>deadline_exceeded</c>, the
    /// stream ended with an error) and its slot is free; a failed answer teaches the service estimate nothing, as live.
    /// </summary>
    private void Cutoff(CutoffEvent cutoff)
    {
        if (cutoff.Request is not { Outcome: SimOutcome.Pending, ServedBy: { } replica } request)
        {
            return; // it finished first
        }

        if (replica.Running is { } running)
        {
            running.Remove(request);
            MarkUnrated(replica);
        }

        Release(request, SimOutcome.Expired);
    }

    /// <summary>Gives a served request's slot back and ends it; drains, unloads and pumps as any end of service does.</summary>
    private void Release(SimRequest request, SimOutcome outcome)
    {
        var replica = request.ServedBy!;
        var model = replica.Model;
        replica.InFlight--;
        replica.CountClass(request.Priority, -1);
        replica.LastUsed = _now;
        InFlightChanged?.Invoke(replica);
        _tasks[request.TaskIndex].Admitted--;
        End(request, outcome, null);
        if (replica.State == ReplicaState.Draining && replica.InFlight == 0)
        {
            Unload(replica);
        }
        else
        {
            UnloadIdle(model);
        }

        Pump(model);
        PumpBlocked();
        if (model.Definition.KeepAlive is { } keepAlive)
        {
            EnsureTick(_now + keepAlive);
        }
    }

    /// <summary>Schedules the request's cutoff at its deadline, through a handle its end clears: the event heap keeps no ended request.</summary>
    private void ScheduleCutoff(SimRequest request)
    {
        request.Cutoff = new CutoffEvent { Request = request };
        Schedule(request.Deadline, EventKind.Cutoff, request.Cutoff);
    }

    private void End(SimRequest request, SimOutcome outcome, AdmissionVerdict? verdict)
    {
        if (request.Cutoff is { } cutoff)
        {
            cutoff.Request = null;
            request.Cutoff = null;
        }

        request.Outcome = outcome;
        request.Verdict = verdict;
        request.End = _now;
        _pending--;
        _ended(request);
    }
}
