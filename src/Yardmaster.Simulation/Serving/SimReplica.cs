using Yardmaster.Core.Models;

namespace Yardmaster.Simulation.Serving;

/// <summary>One simulated replica: its state, memory and slots, as the live scheduler's <c>Replica</c> keeps them.</summary>
internal sealed class SimReplica(SimModel model, int number, string device)
{
    public SimModel Model { get; } = model;

    public int Number { get; } = number;

    public string Device { get; } = device;

    public ReplicaState State { get; set; } = ReplicaState.Loading;

    public long Memory { get; set; }

    public int InFlight { get; set; }

    public DateTimeOffset LastUsed { get; set; }

    public long Uses { get; set; }

    public TimeSpan LoadCost { get; set; }

    public ReplicaSnapshot Snapshot() => new(
        Model.Definition.Name, Number, State, Model.Definition.Device, Memory, Model.Definition.Slots, InFlight, LastUsed, Uses, LoadCost, Model.Definition.Pinned)
    {
        Account = Device,
    };
}
