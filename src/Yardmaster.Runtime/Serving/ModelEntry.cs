using Yardmaster.Core.Admission;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;
using Yardmaster.Core.Queueing;
using Yardmaster.Core.Serving;

namespace Yardmaster.Runtime.Serving;

/// <summary>A model's live state: its queue, replicas and measurements. Guarded by the scheduler's lock.</summary>
internal sealed class ModelEntry(ModelDefinition definition, IRequestQueue queue, long estimatedMemory)
{
    public ModelDefinition Definition { get; set; } = definition;

    /// <summary>Its queue; replaced (with every waiting request moved across) when the queue settings change.</summary>
    public IRequestQueue Queue { get; set; } = queue;

    public List<Replica> Replicas { get; } = [];

    /// <summary>Bytes a new replica will need: the estimate until one is measured.</summary>
    public long MemoryEstimate { get; set; } = estimatedMemory;

    /// <summary>Load time of the last successful load, or a default before any.</summary>
    public TimeSpan LoadEstimate { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Online service times (EWMA) of one request, from the lease to its release: over all, and foreground and background apart.</summary>
    public ServiceEstimates Service { get; } = new(TimeSpan.FromSeconds(1));

    public TimeSpan ServiceEstimate => Service.Mean;

    /// <summary>Consecutive failed loads or crashes; drives the restart backoff.</summary>
    public int Failures { get; set; }

    /// <summary>Why the last load failed or the last replica crashed; kept after a new load starts (unlike <see cref="Blocked"/>), so a client waiting for a load can tell it failed.</summary>
    public string? LastFailure { get; set; }

    /// <summary>No load before this time (backoff after a failure).</summary>
    public DateTimeOffset NextLoadAt { get; set; }

    /// <summary>Why no footprint could be estimated (the model's file is missing or unreadable): no load starts while set.</summary>
    public string? EstimateError { get; set; }

    /// <summary>Since when its loads have been refused for want of memory (the longest-waiting model is retried first); null when not blocked.</summary>
    public DateTimeOffset? BlockedSince { get; set; }

    /// <summary>Replicas of other models drained for its next load (named in its requests' traces as evicted for it once it starts).</summary>
    public List<TraceEviction> Drained { get; } = [];

    /// <summary>The most urgent class waiting when its load was last refused; less urgent loads of other models wait behind it.</summary>
    public Core.PriorityClass? BlockedFor { get; set; }

    /// <summary>Why the last load could not start or failed; null when fine.</summary>
    public string? Blocked { get; set; }

    /// <summary>Bytes claimed on the node ledger from pipeline steps for this model's next replica (<see cref="Ledger.ResourceLedger.Claim"/>); 0 when none.</summary>
    public long Claimed { get; set; }

    /// <summary>The class the claim was made for.</summary>
    public Core.PriorityClass ClaimedFor { get; set; }

    /// <summary>Removed from the registry: drains, then disappears.</summary>
    public bool Removed { get; set; }

    /// <summary>What the serving pass's dispatch, scale-out and idle steps know of it.</summary>
    public ModelState State(TimeSpan queueBudget) => new(
        Definition.Name, Removed, Count(ReplicaState.Ready), Count(ReplicaState.Loading), Definition.ReplicasMin, Definition.ReplicasMax,
        Queue.Count, ReadySlots(), ServiceEstimate, NextLoadAt, Definition.KeepAlive, queueBudget);

    /// <summary>Its replicas as the policies see them, in order.</summary>
    public List<ReplicaSnapshot> Snapshots()
    {
        var snapshots = new List<ReplicaSnapshot>(Replicas.Count);
        foreach (var r in Replicas)
        {
            snapshots.Add(r.Snapshot());
        }

        return snapshots;
    }

    public int Count(ReplicaState state)
    {
        var n = 0;
        foreach (var r in Replicas)
        {
            if (r.State == state)
            {
                n++;
            }
        }

        return n;
    }

    public int ReadySlots()
    {
        var n = 0;
        foreach (var r in Replicas)
        {
            if (r.State == ReplicaState.Ready)
            {
                n += Definition.Slots;
            }
        }

        return n;
    }

    /// <summary>
    /// For a model whose engine preempts: the slots a request of <paramref name="priority"/> may still take on its ready replicas
    /// (those not held by requests as urgent or more, within the bound of as many beyond the slots as it has), and the requests
    /// as urgent or more in flight there: what it waits behind.
    /// </summary>
    public (int Free, int Ahead) SlotsFor(Core.PriorityClass priority)
    {
        var free = 0;
        var ahead = 0;
        foreach (var r in Replicas)
        {
            if (r.State != ReplicaState.Ready)
            {
                continue;
            }

            var (f, a) = ServingPass.PreemptingSlots(Definition.Slots, r.InFlightByClass, r.InFlight, priority);
            free += f;
            ahead += a;
        }

        return (free, ahead);
    }

    public int InFlight()
    {
        var n = 0;
        foreach (var r in Replicas)
        {
            n += r.InFlight;
        }

        return n;
    }
}
