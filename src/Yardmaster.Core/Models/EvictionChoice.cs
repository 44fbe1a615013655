using Yardmaster.Core.Units;

namespace Yardmaster.Core.Models;

/// <summary>Shared by the eviction policies: take victims in a policy's order until enough is freed, or explain why not.</summary>
internal static class EvictionChoice
{
    public static EvictionDecision TakeInOrder(EvictionRequest request, IEnumerable<ReplicaSnapshot> ordered)
    {
        var victims = new List<ReplicaSnapshot>();
        long freed = 0;
        foreach (var r in ordered)
        {
            if (freed >= request.BytesNeeded)
            {
                break;
            }

            victims.Add(r);
            freed += r.MemoryBytes;
        }

        if (freed >= request.BytesNeeded)
        {
            return new EvictionDecision(victims, null);
        }

        var busy = request.Replicas.Count(r => r.State is ReplicaState.Ready or ReplicaState.Draining && r.InFlight > 0);
        var pinned = request.Replicas.Count(r => r.Pinned && r.State == ReplicaState.Ready);
        var loading = request.Replicas.Count(r => r.State == ReplicaState.Loading);
        return EvictionDecision.Refuse(
            $"need {ByteSizes.Format(request.BytesNeeded)} more, evictable replicas hold {ByteSizes.Format(freed)} ({busy} busy, {pinned} pinned, {loading} loading)");
    }
}
