using Yardmaster.Core.Admission;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;
using Yardmaster.Core.Queueing;
using Yardmaster.Core.Serving;

namespace Yardmaster.Simulation.Serving;

/// <summary>One simulated model: its queue, replicas and measurements, as the live scheduler's <c>ModelEntry</c> keeps them.</summary>
internal sealed class SimModel(ModelDefinition definition, IRequestQueue queue, ModelSpeed speed)
{
    public ModelDefinition Definition { get; } = definition;

    public IRequestQueue Queue { get; } = queue;

    public ModelSpeed Speed { get; } = speed;

    public List<SimReplica> Replicas { get; } = [];

    /// <summary>Bytes a replica takes (the declared memory).</summary>
    public long Memory => Definition.Memory ?? 0;

    /// <summary>Load time of the last load (the server's estimate before any: 2 s).</summary>
    public TimeSpan LoadEstimate { get; set; } = TimeSpan.FromSeconds(2);

    public ServiceTimeEstimator Service { get; } = new(TimeSpan.FromSeconds(1));

    public DateTimeOffset NextLoadAt { get; set; }

    public long Loads { get; set; }

    public TimeSpan LoadTime { get; set; }

    public long BytesLoaded { get; set; }

    public int Count(ReplicaState state) => Replicas.Count(r => r.State == state);

    public int ReadySlots() => Count(ReplicaState.Ready) * Definition.Slots;

    public int InFlight() => Replicas.Sum(r => r.InFlight);

    public ModelState State(TimeSpan queueBudget) => new(
        Definition.Name, false, Count(ReplicaState.Ready), Count(ReplicaState.Loading), Definition.ReplicasMin, Definition.ReplicasMax,
        Queue.Count, ReadySlots(), Service.Mean, NextLoadAt, Definition.KeepAlive, queueBudget);

    public List<ReplicaSnapshot> Snapshots() => [.. Replicas.Select(r => r.Snapshot())];
}
