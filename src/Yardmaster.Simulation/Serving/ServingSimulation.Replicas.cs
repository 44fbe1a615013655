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

        var plan = ServingPass.Dispatch(model.State(), model.Snapshots(), _routing, false, _now);
        foreach (var index in plan.Replicas)
        {
            var next = (SimRequest)model.Queue.Dequeue(_now)!;
            DropWait(next);
            var replica = model.Replicas[index];
            replica.InFlight++;
            _eviction.GetValueOrDefault(replica.Device)?.OnUse(model.Definition.Name, _now);
            next.ServedBy = replica;
            next.Start = _now;
            next.FirstToken = _now + (next.TraceService is null ? model.Speed.Prefill(next.PromptTokens) : TimeSpan.Zero);
            Schedule(_now + (next.TraceService ?? model.Speed.Service(next.PromptTokens, next.OutputTokens)), EventKind.Finish, next);
        }

        if (plan.ScaleOut)
        {
            StartLoad(model);
        }
    }

    private void PumpBlocked()
    {
        foreach (var model in _models)
        {
            if (model.Queue.Count > 0 && model.Count(ReplicaState.Ready) + model.Count(ReplicaState.Loading) == 0
                && ServingPass.ShouldScaleOut(model.State(), false, _now))
            {
                StartLoad(model);
            }
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
        var plan = PlanLoad(model);
        if (plan.Device is not { } device)
        {
            return;
        }

        foreach (var victim in plan.Victims)
        {
            Unload(_byName[victim.Model].Replicas.First(r => r.Number == victim.Replica));
        }

        var numbers = model.Replicas.Select(r => r.Number).ToHashSet();
        var replica = new SimReplica(model, Enumerable.Range(0, numbers.Count + 1).First(n => !numbers.Contains(n)), _devices[device], _replicaSeq++) { Memory = model.Memory, LastUsed = _now };
        var loadTime = model.Speed.LoadTime ?? _sampleLoad();
        replica.LoadCost = loadTime;
        model.Add(replica);
        replica.Account.Charge(replica.Memory);
        model.Loads++;
        model.LoadTime += loadTime;
        model.BytesLoaded += replica.Memory;
        Schedule(_now + loadTime, EventKind.Loaded, replica);
    }

    private void Loaded(SimReplica replica)
    {
        if (replica.State != ReplicaState.Loading)
        {
            return;
        }

        replica.State = ReplicaState.Ready;
        replica.LastUsed = _now;
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
