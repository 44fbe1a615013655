using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;

namespace Yardmaster.PolicySim.Eviction;

/// <summary>A loaded replica in the simulation: its model, use count and the end times of the requests it runs.</summary>
internal sealed class Resident(SimModel model, DateTimeOffset loadedAt)
{
    private readonly List<DateTimeOffset> _running = [];

    public SimModel Model { get; } = model;

    /// <summary>When a request last ended (or the load started), up to the last <see cref="Snapshot"/>.</summary>
    public DateTimeOffset LastUsed { get; private set; } = loadedAt;

    public long Uses { get; private set; }

    /// <summary>Counts a request that holds the replica until <paramref name="end"/>.</summary>
    public void Use(DateTimeOffset end)
    {
        Uses++;
        _running.Add(end);
    }

    /// <summary>What the policies see at <paramref name="now"/>: Ready, with the requests still running as in flight.</summary>
    public ReplicaSnapshot Snapshot(DateTimeOffset now)
    {
        foreach (var end in _running)
        {
            if (end <= now && end > LastUsed)
            {
                LastUsed = end;
            }
        }

        _running.RemoveAll(end => end <= now);
        return new ReplicaSnapshot(Model.Name, 0, ReplicaState.Ready, DeviceKind.Gpu, Model.Bytes, 4, _running.Count, LastUsed, Uses, Model.LoadTime, Pinned: false) { Account = EvictionSimulation.Device };
    }
}
