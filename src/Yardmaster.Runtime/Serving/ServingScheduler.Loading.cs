using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;
using Yardmaster.Core.Serving;

namespace Yardmaster.Runtime.Serving;

public sealed partial class ServingScheduler
{
    /// <summary>
    /// Loads one more replica of <paramref name="model"/> now (the API's "load"), evicting if needed.
    /// Returns null when a load started, or why not.
    /// </summary>
    public string? Load(string model)
    {
        lock (_gate)
        {
            if (!_models.TryGetValue(model, out var entry) || entry.Removed)
            {
                return $"model '{model}' not found";
            }

            if (entry.Count(ReplicaState.Ready) + entry.Count(ReplicaState.Loading) >= entry.Definition.ReplicasMax)
            {
                return $"model '{model}' already has its replicas.max of {entry.Definition.ReplicasMax} replicas";
            }

            return StartLoad(entry, _time.GetUtcNow()) ? null : entry.Blocked;
        }
    }

    /// <summary>Unloads every replica of <paramref name="model"/> (the API's "unload"); busy ones drain first. Returns null, or why not.</summary>
    public string? Unload(string model)
    {
        lock (_gate)
        {
            if (!_models.TryGetValue(model, out var entry) || entry.Removed)
            {
                return $"model '{model}' not found";
            }

            if (entry.Definition.ReplicasMin > 0)
            {
                return $"model '{model}' keeps {entry.Definition.ReplicasMin} replica(s) warm (replicas.min); change its definition to unload it";
            }

            foreach (var r in entry.Replicas.ToList())
            {
                BeginUnload(r, UnloadReason.Requested, "unload requested");
            }

            return null;
        }
    }

    /// <summary>Reserves memory (evicting idle replicas if the policy finds enough) and starts a replica; false with <see cref="ModelEntry.Blocked"/> set when it cannot.</summary>
    private bool StartLoad(ModelEntry model, DateTimeOffset now)
    {
        var waiting = WaitingClass(model);
        if (BlockedAhead(model, waiting) is { } ahead)
        {
            // A more urgent model waits for memory on these devices: what frees up is its (drained for it, or given back by steps).
            model.Blocked = $"waiting behind {ahead.Definition.Name}, whose {Core.PriorityClasses.Name(ahead.BlockedFor!.Value)} requests wait for memory first";
            model.BlockedSince ??= now;
            model.BlockedFor = waiting;
            return false;
        }

        var plan = ServingPass.Load(LoadInputFor(model) with { Priority = waiting }, EvictionFor, now);
        foreach (var drain in plan.Drains)
        {
            // Busy only with less urgent requests: no new ones; it unloads when they end, and the load is retried then.
            var drained = _models[drain.Model].Replicas.First(r => r.Number == drain.Replica);
            model.Drained.Add(new TraceEviction(drained.Model.Definition.Name, drained.Number, drained.Device, drained.Memory));
            BeginUnload(drained, UnloadReason.Evicted, $"drained for {model.Definition.Name} ({Core.PriorityClasses.Name(waiting!.Value)} requests)");
        }

        if (plan.Device is not { } device)
        {
            model.Blocked = plan.Refusal + ClaimFromSteps(model, plan.Reclaim, waiting);
            model.BlockedSince ??= now;
            model.BlockedFor = waiting;
            if (model.EstimateError is null)
            {
                NoteBlocked(model, now);
            }

            return false;
        }

        var need = model.MemoryEstimate;
        var victims = plan.Victims.Select(v => _models[v.Model].Replicas.First(r => r.Number == v.Replica)).ToList();
        var waitFor = new List<Task>();
        foreach (var victim in victims)
        {
            BeginUnload(victim, UnloadReason.Evicted, "evicted for " + model.Definition.Name);
            waitFor.Add(victim.Unloaded);
        }

        var numbers = model.Replicas.Select(r => r.Number).ToHashSet();
        var replicaNumber = Enumerable.Range(0, numbers.Count + 1).First(n => !numbers.Contains(n));
        var replica = new Replica(model, replicaNumber, device)
        {
            LoadedFor = waiting,
            Memory = need,
            LastUsed = now,
            LoadStarted = now,
            Evictions = [.. model.Drained, .. victims.Select(v => new TraceEviction(v.Model.Definition.Name, v.Number, v.Device, v.Memory))],
        };
        var ready = model.Count(ReplicaState.Ready);
        if (ready > 0)
        {
            Log.ScalingOut(_log, model.Definition.Name, ready + 1, model.Queue.Count);
        }

        Log.LoadStarting(_log, model.Definition.Name, replicaNumber, device, victims.Count == 0 ? "fits" : "after evicting " + string.Join(", ", victims.Select(v => $"{v.Model.Definition.Name}/{v.Number}")));
        model.Replicas.Add(replica);
        NoteLoad(model, replica);
        model.Blocked = null;
        model.BlockedSince = null;
        model.BlockedFor = null;
        model.Drained.Clear();
        _ledger.Charge(device, need);
        Unclaim(model); // after the charge: steps never see the claimed memory free in between
        Track(Task.Run(() => LoadAsync(replica, model.Definition, waitFor)));
        return true;
    }

    /// <summary>
    /// When pipeline steps hold the <paramref name="bytes"/> a load of <paramref name="model"/> misses, and a request above <c>batch</c>
    /// (<paramref name="waiting"/>, the most urgent waiting class) waits for it: claims them on the node ledger (the job scheduler stops preemptible steps of less urgent classes, and no step
    /// takes the memory meanwhile). Returns what the refusal should add, in words.
    /// </summary>
    private string ClaimFromSteps(ModelEntry model, long bytes, Core.PriorityClass? waiting)
    {
        if (bytes <= 0 || waiting is not { } priority || priority >= Core.PriorityClass.Batch)
        {
            Unclaim(model);
            return bytes > 0 && waiting is not null ? "; batch requests do not take memory back from steps" : string.Empty;
        }

        if (model.Claimed != bytes || model.ClaimedFor != priority)
        {
            _ledger.Claim(ClaimOwner(model), bytes, priority);
            Log.Claimed(_log, model.Definition.Name, bytes, priority);
            model.Claimed = bytes;
            model.ClaimedFor = priority;
        }

        return $"; asked the job scheduler to stop preemptible steps less urgent than {Core.PriorityClasses.Name(priority)}";
    }

    /// <summary>Another model on the same kind of device whose load is blocked for requests more urgent than <paramref name="waiting"/> (null: none waits); null when there is none.</summary>
    private ModelEntry? BlockedAhead(ModelEntry model, Core.PriorityClass? waiting)
    {
        var kind = LocalDevice(model.Definition);
        foreach (var other in _models.Values)
        {
            if (other != model && !other.Removed && other.BlockedFor is { } blockedFor && (waiting is null || blockedFor < waiting)
                && other.Queue.Count > 0 && LocalDevice(other.Definition) == kind)
            {
                return other;
            }
        }

        return null;
    }

    /// <summary>Drops <paramref name="model"/>'s claim on the node ledger, if it has one.</summary>
    private void Unclaim(ModelEntry model)
    {
        if (model.Claimed > 0)
        {
            _ledger.Unclaim(ClaimOwner(model));
            model.Claimed = 0;
        }
    }

    private static string ClaimOwner(ModelEntry model) => $"model '{model.Definition.Name}'";

    /// <summary>The most urgent class of the requests waiting for a slot of <paramref name="model"/>; null when none waits.</summary>
    private static Core.PriorityClass? WaitingClass(ModelEntry model) => model.Queue.MostUrgent;

    /// <summary>What the load step knows of <paramref name="model"/>: its need, the devices of its kind with what is free, and the replicas on them.</summary>
    private LoadInput LoadInputFor(ModelEntry model)
    {
        var devices = _ledger.Devices(LocalDevice(model.Definition)).Select(d => new DeviceFree(d, _ledger.Budget(d), _ledger.Free(d), _ledger.HeldBySteps(d))).ToList();
        var replicas = new List<ReplicaSnapshot>();
        foreach (var m in _models.Values)
        {
            foreach (var r in m.Replicas)
            {
                if (devices.Exists(d => d.Device == r.Device))
                {
                    replicas.Add(r.Snapshot());
                }
            }
        }

        return new LoadInput(model.MemoryEstimate, model.EstimateError, devices, replicas, model.Definition.Device.ToString().ToLowerInvariant()) { Model = model.Definition.Name };
    }

    private IEvictionPolicy EvictionFor(string device)
    {
        if (!_eviction.TryGetValue(device, out var policy))
        {
            policy = _policies.Eviction();
            _eviction[device] = policy;
        }

        return policy;
    }

    private async Task LoadAsync(Replica replica, Core.Configuration.ModelDefinition definition, List<Task> victimsUnloaded)
    {
        var started = _time.GetTimestamp();
        IReplicaInstance? instance = null;
        string? error = null;
        try
        {
            await Task.WhenAll(victimsUnloaded).ConfigureAwait(false);
            instance = await _launcher.StartAsync(definition, replica.Number, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            error = "the server is shutting down";
        }
        catch (ReplicaStartException e)
        {
            error = e.Message;
        }
#pragma warning disable CA1031 // a backend's unexpected failure must mark the replica failed, not crash the server
        catch (Exception e)
#pragma warning restore CA1031
        {
            error = $"{e.GetType().Name}: {e.Message}";
        }

        var elapsed = _time.GetElapsedTime(started);
        var keep = false;
        lock (_gate)
        {
            var model = replica.Model;
            if (instance is not null && replica.State == ReplicaState.Loading && !_disposed)
            {
                keep = true;
                replica.Instance = instance;
                replica.State = ReplicaState.Ready;
                replica.LoadCost = elapsed;
                replica.LastUsed = replica.ReadyAt = _time.GetUtcNow();
                _ledger.Refund(replica.Device, replica.Memory);
                // A declared footprint stands (the operator knows what the replica grows to); only an estimate is replaced by the measurement.
                // A cluster replica's declared memory is its job's, reserved on its node: nothing of it is on this machine.
                replica.Memory = definition.Backend.OnCluster() ? 0
                    : definition.Memory is { } declared ? declared
                    : instance.MemoryBytes > 0 || definition.Backend == Core.Configuration.BackendKind.Http ? instance.MemoryBytes : replica.Memory;
                _ledger.Charge(replica.Device, replica.Memory);
                if (definition.Memory is null && replica.Memory > 0)
                {
                    model.MemoryEstimate = replica.Memory;
                }

                model.LoadEstimate = elapsed;
                model.Failures = 0;
                Log.Loaded(_log, definition.Name, replica.Number, elapsed.TotalMilliseconds, replica.Memory);
                Track(WatchAsync(replica, instance));
                Pump(model);
            }
            else if (instance is null)
            {
                model.Blocked = "load failed: " + error;
                MarkFailed(replica, model.Blocked);
                if (model.Count(ReplicaState.Ready) + model.Count(ReplicaState.Loading) == 0)
                {
                    FailQueued(model, new Refusal(503, "model_load_failed", $"model '{definition.Name}' failed to load: {error}", model.NextLoadAt - _time.GetUtcNow()));
                }
            }
        }

        if (keep)
        {
            Changed?.Invoke(new ServingEvent(_time.GetUtcNow(), ServingEventKind.Loaded, definition.Name, replica.Number, replica.Device, elapsed, replica.Memory, null, null));
        }
        else if (instance is not null)
        {
            await instance.DisposeAsync().ConfigureAwait(false); // loaded after shutdown or removal began
            lock (_gate)
            {
                Forget(replica);
            }
        }
    }

    /// <summary>Waits for a replica's backend to die on its own; then marks it failed so its requests go elsewhere.</summary>
    private async Task WatchAsync(Replica replica, IReplicaInstance instance)
    {
        await Task.WhenAny(instance.Exited, Task.Delay(Timeout.Infinite, _stopping.Token)).ConfigureAwait(false);
        if (!instance.Exited.IsCompleted)
        {
            return;
        }

        lock (_gate)
        {
            if (replica.Instance == instance && replica.State is ReplicaState.Ready or ReplicaState.Draining)
            {
                MarkFailed(replica, instance.ExitReason ?? "the backend exited");
            }
        }
    }

    /// <summary>Marks a replica failed: frees its memory, disposes its backend, and schedules a restart with exponential backoff.</summary>
    private void MarkFailed(Replica replica, string reason)
    {
        var model = replica.Model;
        var now = _time.GetUtcNow();
        replica.State = ReplicaState.Failed;
        _ledger.Refund(replica.Device, replica.Memory);
        Raise(new ServingEvent(now, ServingEventKind.Failed, model.Definition.Name, replica.Number, replica.Device, null, replica.Memory, null, reason));
        replica.Memory = 0;
        model.Failures++;
        model.LastFailure = reason;
        var backoff = TimeSpan.FromMilliseconds(Math.Min(_maxBackoff.TotalMilliseconds, 500 * Math.Pow(2, model.Failures - 1)));
        model.NextLoadAt = now + backoff;
        Log.Failed(_log, model.Definition.Name, replica.Number, reason, backoff.TotalMilliseconds);
        var instance = replica.Instance;
        replica.Unloaded = instance is null ? Task.CompletedTask : Task.Run(async () => await instance.DisposeAsync().ConfigureAwait(false));
        Track(replica.Unloaded);
        _ = replica.Unloaded.ContinueWith(_ => { lock (_gate) { Forget(replica); } }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    /// <summary>Stops routing to a replica; once idle, frees its memory and disposes its backend.</summary>
    private void BeginUnload(Replica replica, UnloadReason cause, string reason)
    {
        if (replica.State is ReplicaState.Unloaded or ReplicaState.Failed)
        {
            return;
        }

        replica.UnloadCause ??= cause;
        replica.UnloadDetail ??= reason;

        if (replica.State == ReplicaState.Loading)
        {
            // The load finishes, sees the state and disposes what it made.
            replica.State = ReplicaState.Unloaded;
            _ledger.Refund(replica.Device, replica.Memory);
            replica.Memory = 0;
            return;
        }

        replica.State = ReplicaState.Draining;
        if (replica.InFlight > 0)
        {
            return;
        }

        replica.State = ReplicaState.Unloaded;
        _ledger.Refund(replica.Device, replica.Memory);
        Raise(new ServingEvent(_time.GetUtcNow(), ServingEventKind.Unloaded, replica.Model.Definition.Name, replica.Number, replica.Device, null, replica.Memory, replica.UnloadCause, replica.UnloadDetail));
        replica.Memory = 0;
        Log.Unloading(_log, replica.Model.Definition.Name, replica.Number, replica.UnloadDetail ?? reason);
        var instance = replica.Instance;
        replica.Unloaded = instance is null ? Task.CompletedTask : Task.Run(async () => await instance.DisposeAsync().ConfigureAwait(false));
        Track(replica.Unloaded);
        _ = replica.Unloaded.ContinueWith(
            _ =>
            {
                lock (_gate)
                {
                    Forget(replica);
                    PumpBlocked();
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
    }

    /// <summary>Raises <see cref="Changed"/> on the thread pool: callers hold the lock, and handlers must not run under it.</summary>
    private void Raise(ServingEvent e)
    {
        if (Changed is { } handlers)
        {
            _ = Task.Run(() => handlers(e));
        }
    }

    private void Forget(Replica replica)
    {
        replica.Model.Replicas.Remove(replica);
        if (replica.Model.Removed && replica.Model.Replicas.Count == 0)
        {
            _models.Remove(replica.Model.Definition.Name);
        }
    }
}
