using Yardmaster.Core.Models;
using Yardmaster.Core.Serving;

namespace Yardmaster.Simulation.Serving;

/// <summary>
/// One simulated memory account ("cpu", "gpu0", ...): its budget, what is charged to it, and the replicas on it in the
/// order the server's flat replica list has them (by model, then by when each was added). <see cref="Version"/> changes
/// whenever anything a pass could read of it changes (a replica added, removed or changed in any field, a charge or
/// refund), so a pure pass's answer over <see cref="Input"/> may be kept until then.
/// </summary>
/// <param name="name">The account's name.</param>
/// <param name="budget">Bytes in all.</param>
/// <param name="needs">How many models there are (the size of the fit cache: one answer per model).</param>
internal sealed class SimDevice(string name, long budget, int needs)
{
    private readonly List<SimReplica> _replicas = [];
    private readonly long[] _fitVersion = [.. Enumerable.Repeat(-1L, needs)];
    private readonly bool[] _fits = new bool[needs];
    private ReplicaSnapshot[]? _snapshots;
    private long _used;

    public string Name { get; } = name;

    public long Budget { get; } = budget;

    /// <summary>Bytes a new replica may take now.</summary>
    public long Free => Math.Max(0, Budget - _used);

    /// <summary>Bumped by every change a pass could see.</summary>
    public long Version { get; private set; }

    /// <summary>The replicas on it, in the server's order.</summary>
    public IReadOnlyList<SimReplica> Replicas => _replicas;

    public void Charge(long bytes)
    {
        _used += bytes;
        Touch();
    }

    public void Refund(long bytes)
    {
        _used = Math.Max(0, _used - bytes);
        Touch();
    }

    /// <summary>Adds <paramref name="replica"/> at its place: after every replica of an earlier model, and of its own model added earlier.</summary>
    public void Add(SimReplica replica)
    {
        var at = _replicas.Count;
        while (at > 0 && (_replicas[at - 1].Model.Index > replica.Model.Index
            || (_replicas[at - 1].Model.Index == replica.Model.Index && _replicas[at - 1].Sequence > replica.Sequence)))
        {
            at--;
        }

        _replicas.Insert(at, replica);
        Touch();
    }

    public void Remove(SimReplica replica)
    {
        _replicas.Remove(replica);
        Touch();
    }

    /// <summary>Something on it changed.</summary>
    public void Touch()
    {
        Version++;
        _snapshots = null;
    }

    /// <summary>The load step's input for this device alone: <paramref name="need"/> bytes, this account, its replicas.</summary>
    public LoadInput Input(long need, string deviceWords)
    {
        if (_snapshots is null)
        {
            _snapshots = new ReplicaSnapshot[_replicas.Count];
            for (var i = 0; i < _snapshots.Length; i++)
            {
                _snapshots[i] = _replicas[i].Snapshot();
            }
        }

        return new LoadInput(need, null, [new DeviceFree(Name, Budget, Free)], _snapshots, deviceWords);
    }

    /// <summary>
    /// <see cref="ServingPass.CanFitNow"/> over this device alone, for a replica of <paramref name="need"/> bytes (size number
    /// <paramref name="needIndex"/>, the index of <paramref name="model"/>); kept until the device changes (the pass is pure, so the same input gives the same answer).
    /// </summary>
    public bool CanFitNow(int needIndex, long need, string deviceWords, string model)
    {
        if (_fitVersion[needIndex] != Version)
        {
            _fits[needIndex] = ServingPass.CanFitNow(Input(need, deviceWords) with { Model = model });
            _fitVersion[needIndex] = Version;
        }

        return _fits[needIndex];
    }
}
