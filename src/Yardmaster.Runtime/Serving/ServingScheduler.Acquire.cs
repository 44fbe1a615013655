using System.Globalization;
using Yardmaster.Core.Admission;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;
using Yardmaster.Core.Serving;

namespace Yardmaster.Runtime.Serving;

public sealed partial class ServingScheduler
{
    /// <summary>
    /// Admits the request (or refuses it at once), queues it on the chosen model and waits for a slot.
    /// Returns a refusal value for every expected outcome: over the task's concurrency or rate (429), queue
    /// full (429), a deadline the predicted wait makes impossible (503), no memory for any candidate within
    /// <see cref="SchedulerSettings.LoadWait"/> (503), the deadline passing while queued (504). Cancelling
    /// <paramref name="cancellationToken"/> (the client went away) removes the request from its queue at once
    /// and returns a refusal with status 499.
    /// </summary>
    public async Task<AcquireResult> AcquireAsync(RequestTicket ticket, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        PendingRequest pending;
        TimeSpan waitLimit;
        lock (_gate)
        {
            var trace = _traces.Begin(ticket.RequestId ?? "sched-" + (++_unnamed).ToString(CultureInfo.InvariantCulture), ticket.Task.Name, ticket.Priority, ticket.Attempt, _time.GetUtcNow());
            var admitted = Admit(ticket, trace);
            if (admitted.Refusal is { } refusal)
            {
                _traces.Finish(trace, _time.GetUtcNow(), "refused", refusal);
                Log.Refused(_log, trace.RequestId, ticket.Task.Name, refusal.Code, refusal.Message);
                return refusal;
            }

            pending = admitted.Pending!;
            waitLimit = admitted.WaitLimit;
            Pump(pending.Model);
        }

        if (pending.Completion.Task.IsCompleted)
        {
            return await pending.Completion.Task.ConfigureAwait(false);
        }

        while (true)
        {
            using var timeout = new CancellationTokenSource(waitLimit, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
            try
            {
                return await pending.Completion.Task.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                if (Abandon(pending, cancelled: cancellationToken.IsCancellationRequested, out waitLimit) is { } outcome)
                {
                    return outcome;
                }
            }
        }
    }

    /// <summary>
    /// Admits a request of a task that takes no slot of its own (an ensemble: each member is a request of its own):
    /// the task's <c>max_concurrency</c> and <c>rate</c>, the deadline and the shutdown refuse it as they refuse any
    /// request. Until the returned admission is disposed, the request counts as in progress for the task.
    /// </summary>
    public (IDisposable? Admission, Refusal? Refusal) AdmitWithoutSlot(RequestTicket ticket)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var task = TaskFor(ticket.Task, now);
            var decision = ServingPass.Admit(new AdmissionInput(
                now, ticket.Priority, ticket.Deadline, _disposed, task.Definition.Name, task.Definition.MaxConcurrency, task.Admitted, task.Bucket, [], _settings.MaxQueue, _settings.LoadWait));
            if (LimitRefusal(decision, task) is { } refusal)
            {
                Log.Refused(_log, ticket.RequestId ?? task.Definition.Name, task.Definition.Name, refusal.Code, refusal.Message);
                return (null, refusal);
            }

            task.Admitted++;
            return (new SlotlessAdmission(this, task), null);
        }
    }

    /// <summary>The refusals of the task's own limits, before any model is looked at; null for every other verdict.</summary>
    private static Refusal? LimitRefusal(AdmissionDecision decision, TaskEntry task) => decision.Verdict switch
    {
        AdmissionVerdict.ShuttingDown => new Refusal(503, "shutting_down", "the server is shutting down"),
        AdmissionVerdict.DeadlinePassed => new Refusal(504, "deadline_exceeded", "the request's deadline has already passed"),
        AdmissionVerdict.ConcurrencyLimit => new Refusal(429, "concurrency_limit", $"task '{task.Definition.Name}' already has {task.Admitted} requests in progress, its max_concurrency", TimeSpan.FromSeconds(1)),
        AdmissionVerdict.RateLimit => new Refusal(429, "rate_limit", string.Create(CultureInfo.InvariantCulture, $"task '{task.Definition.Name}' is over its rate of {task.Definition.Rate!.PerSecond:0.###}/s"), decision.RetryAfter),
        _ => null,
    };

    private sealed class SlotlessAdmission(ServingScheduler scheduler, TaskEntry task) : IDisposable
    {
        private bool _released;

        public void Dispose()
        {
            lock (scheduler._gate)
            {
                if (!_released)
                {
                    _released = true;
                    task.Admitted--;
                }
            }
        }
    }

    private (PendingRequest? Pending, Refusal? Refusal, TimeSpan WaitLimit) Admit(RequestTicket ticket, TraceBuilder trace)
    {
        var now = _time.GetUtcNow();
        var task = TaskFor(ticket.Task, now);
        var entries = new List<ModelEntry?>(ticket.Task.Models.Count);
        var candidates = new List<AdmissionCandidate>(ticket.Task.Models.Count);
        var early = _disposed || ticket.Deadline <= now || (task.Definition.MaxConcurrency is { } max && task.Admitted >= max);
        foreach (var name in early ? [] : ticket.Task.Models)
        {
            var (entry, candidate) = AdmissionCandidateFor(name, ticket, now);
            entries.Add(entry);
            candidates.Add(candidate with { Quality = QualityOf(name, task.Definition.Quality?.Metric) });
        }

        var decision = ServingPass.Admit(new AdmissionInput(
            now, ticket.Priority, ticket.Deadline, _disposed, task.Definition.Name, task.Definition.MaxConcurrency, task.Admitted, task.Bucket, candidates, _settings.MaxQueue, _settings.LoadWait)
        {
            Quality = task.Definition.Quality,
        });
        if (decision.Candidates.Count > 0)
        {
            trace.Candidates = decision.Candidates;
        }

        var model = decision.Model >= 0 ? entries[decision.Model] : null;
        if (model is not null && decision.Reason is { } reason)
        {
            trace.Model = model.Definition.Name;
            trace.Reason = reason;
        }

        var predictedWait = decision.PredictedWait;
        if (LimitRefusal(decision, task) is { } limited)
        {
            return (null, limited, default);
        }

        switch (decision.Verdict)
        {
            case AdmissionVerdict.NoModel:
                return (null, new Refusal(503, "no_capacity", $"task '{ticket.Task.Name}' cannot be served now: none of its models is available", TimeSpan.FromSeconds(5)), default);
            case AdmissionVerdict.CannotFit:
                return (null, new Refusal(503, "no_capacity", $"task '{ticket.Task.Name}' cannot be served: {decision.Words}", TimeSpan.FromSeconds(5)), default);
            case AdmissionVerdict.QueueFull:
                return (null, new Refusal(429, "queue_full", $"model '{model!.Definition.Name}' has {model.Queue.Count} requests queued, the limit (scheduler.max_queue); {QueueAdvice(model, predictedWait)}", Clamp(predictedWait)), default);
            case AdmissionVerdict.DeadlineUnmeetable:
                var slack = ticket.Deadline - now;
                var service = candidates[decision.Model].Service;
                return (null, new Refusal(
                    503,
                    "deadline_unmeetable",
                    string.Create(CultureInfo.InvariantCulture, $"model '{model!.Definition.Name}' cannot answer within the deadline: predicted wait {predictedWait.TotalMilliseconds:0} ms + service {service.TotalMilliseconds:0} ms > {slack.TotalMilliseconds:0} ms left ({Occupancy(model)}, {model.Queue.Count} queued; service {ServiceBasis(model, ticket)}); allow a longer deadline (the task's latency SLO or X-Yard-Deadline-Ms), retry later, or add replicas"),
                    Clamp(predictedWait)), default);
        }

        var chosen = model!;
        if (decision.QualityUnmet)
        {
            task.QualityUnmet++;
        }

        if (decision.Shed && chosen.Queue.Shed(ticket.Priority) is PendingRequest victim)
        {
            // A full queue sheds its least urgent request for a more urgent newcomer.
            RefuseQueued(chosen, victim, new Refusal(429, "queue_full", $"model '{chosen.Definition.Name}' has {chosen.Queue.Count} requests queued, the limit (scheduler.max_queue), and a more urgent request took this one's place; {QueueAdvice(chosen, predictedWait)}", Clamp(predictedWait)));
        }

        var pending = new PendingRequest
        {
            Id = ++_nextId,
            Task = task.Definition.Name,
            Priority = ticket.Priority,
            Weight = task.Definition.Weight,
            Arrival = now,
            Deadline = ticket.Deadline,
            Cost = Math.Max(1, ticket.Cost),
            PromptTokens = ticket.PromptTokens,
            MaxTokens = ticket.MaxTokens,
            Embedding = ticket.Embedding,
            Service = candidates[decision.Model].Service,
            Model = chosen,
            TaskEntry = task,
            Trace = trace,
        };
        task.Admitted++;
        chosen.Queue.Enqueue(pending);
        _live.Add(pending);
        trace.PredictedStart = predictedWait;
        SamplePositions(chosen, now);
        if (chosen.Count(ReplicaState.Ready) == 0 && chosen.Replicas.FirstOrDefault(r => r.State == ReplicaState.Loading) is { } loading)
        {
            NoteLoad(chosen, loading); // joins a load already running
        }

        return (pending, null, decision.WaitLimit);
    }

    /// <summary>What admission knows of the task's model <paramref name="name"/>, with its live entry (null when it is not available).</summary>
    private (ModelEntry? Entry, AdmissionCandidate Candidate) AdmissionCandidateFor(string name, RequestTicket ticket, DateTimeOffset now)
    {
        if (!_models.TryGetValue(name, out var model) || model.Removed || ticket.ExcludedModels.Contains(name))
        {
            var why = ticket.ExcludedModels.Contains(name) ? "not chosen: it failed on an earlier attempt" : "not chosen: not a configured model";
            return (null, new AdmissionCandidate(name, why, null, 0, false, default, false, false, null, 0, "", 0));
        }

        var load = LoadInputFor(model);
        var full = model.Queue.Count >= _settings.MaxQueue;
        return (model, new AdmissionCandidate(
            name,
            null,
            Candidate(model, ticket.Priority, ticket.Task, now, load, ticket.Embedding),
            model.Queue.Count,
            full && model.Queue.Shed(ticket.Priority) is not null,
            model.Service.Predict(ticket.Priority, ticket.PromptTokens, ticket.MaxTokens),
            model.Service.HasSample(ticket.Priority),
            ServingPass.FitsSomeBudget(load),
            model.EstimateError,
            model.MemoryEstimate,
            load.DeviceWords,
            model.Count(ReplicaState.Ready) + model.Count(ReplicaState.Loading)));
    }

    /// <summary>What the predicted service time was made of, for a refusal's message.</summary>
    private static string ServiceBasis(ModelEntry model, RequestTicket ticket)
    {
        var name = Core.PriorityClasses.Name(ticket.Priority);
        return model.Service.For(ticket.Priority).Rates is null
            ? $"as the mean of the model's {name} requests"
            : string.Create(CultureInfo.InvariantCulture, $"for {(ticket.PromptTokens is { } p ? p.ToString(CultureInfo.InvariantCulture) : "a mean")} prompt tokens and max_tokens {(ticket.MaxTokens is { } m ? m.ToString(CultureInfo.InvariantCulture) : "unset")} at the token rates measured on its {name} requests");
    }

    private string QueueAdvice(ModelEntry model, TimeSpan predictedWait) =>
        string.Create(CultureInfo.InvariantCulture, $"{Occupancy(model)}; retry in {Clamp(predictedWait).TotalSeconds:0} s, or raise scheduler.max_queue or the model's replicas.max");

    private TaskEntry TaskFor(TaskDefinition definition, DateTimeOffset now)
    {
        if (!_tasks.TryGetValue(definition.Name, out var entry))
        {
            entry = new TaskEntry(definition);
            _tasks[definition.Name] = entry;
        }
        else if (!ReferenceEquals(entry.Definition, definition))
        {
            if (entry.Definition.Rate != definition.Rate)
            {
                entry.Bucket = null;
            }

            entry.Definition = definition;
        }

        if (entry.Bucket is null && definition.Rate is { } rate)
        {
            entry.Bucket = new TokenBucket(rate);
        }

        return entry;
    }

    /// <summary>Ends a wait that was cancelled or timed out; null (with the new limit) when the request should keep waiting.</summary>
    private AcquireResult? Abandon(PendingRequest pending, bool cancelled, out TimeSpan keepWaiting)
    {
        keepWaiting = default;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (!cancelled && pending.Queued && now < pending.Deadline && pending.Model.Count(ReplicaState.Ready) + pending.Model.Count(ReplicaState.Loading) > 0)
            {
                keepWaiting = pending.Deadline - now; // the load-wait bound expired, but a replica is coming
                return null;
            }

            if (pending.Completion.Task.IsCompletedSuccessfully)
            {
                var result = pending.Completion.Task.Result;
                if (!cancelled)
                {
                    return result; // granted (or refused) just as the wait ended
                }

                if (result.Lease is { } lease)
                {
                    Finish(pending, "cancelled");
                    ReleaseLocked(lease, success: false, serviceTime: null, outputTokens: null);
                }
            }
            else if (pending.Model.Queue.Remove(pending))
            {
                pending.TaskEntry.Admitted--;
                pending.Completion.TrySetCanceled();
                SamplePositions(pending.Model, now);
            }

            var refusal = Refuse(pending, cancelled, now);
            if (pending.Model.Queue.Count == 0)
            {
                Unclaim(pending.Model); // nothing waits for the memory any more: steps may have it back
                pending.Model.BlockedSince = null;
                pending.Model.BlockedFor = null;
                pending.Model.Drained.Clear();
            }
            Finish(pending, cancelled ? "cancelled" : "refused", cancelled ? null : refusal);
            if (!cancelled)
            {
                Log.Refused(_log, pending.Trace.RequestId, pending.Task, refusal.Code, refusal.Message);
            }

            return refusal;
        }
    }

    /// <summary>Why a wait ended without a slot: the client left, the deadline passed, or no memory freed up in time (naming who holds it).</summary>
    private Refusal Refuse(PendingRequest pending, bool cancelled, DateTimeOffset now)
    {
        if (cancelled)
        {
            return new Refusal(499, "client_closed", "the client closed the request");
        }

        if (now >= pending.Deadline)
        {
            return new Refusal(504, "deadline_exceeded", string.Create(CultureInfo.InvariantCulture, $"no slot on model '{pending.Model.Definition.Name}' before the deadline ({(now - pending.Arrival).TotalMilliseconds:0} ms queued; {Occupancy(pending.Model)})"));
        }

        var why = pending.Model.Blocked ?? "no replica became ready";
        var holders = Holders(pending.Model);
        var held = holders.Count > 0 ? "; " + string.Join("; ", holders.Select(h => h.Words)) + "; retry when they finish" : "; retry later";
        return new Refusal(503, "no_capacity", $"model '{pending.Model.Definition.Name}' could not be loaded within scheduler.load_wait: {why}{held}, or raise the device's memory budget", TimeSpan.FromSeconds(5));
    }

    private static TimeSpan Clamp(TimeSpan wait) => wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait > TimeSpan.FromHours(1) ? TimeSpan.FromHours(1) : wait;
}
