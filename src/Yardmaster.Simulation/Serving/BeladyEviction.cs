using Yardmaster.Core.Models;

namespace Yardmaster.Simulation.Serving;

/// <summary>
/// The offline bound for the model cache, Belady's MIN: evict the idle replica whose model is next requested farthest in
/// the future (never again first). It knows the whole trace, so no server can run it. Sizes: models differ in size, and
/// with sizes the exact optimum is NP-hard; this takes victims farthest-next-use first until enough bytes are free
/// (the usual greedy extension), so it is a strong reference rather than a proven lower bound.
/// </summary>
internal sealed class BeladyEviction(IReadOnlyDictionary<string, DateTimeOffset[]> uses) : IEvictionPolicy
{
    public string Name => "belady";

    public EvictionDecision Choose(EvictionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var victims = new List<ReplicaSnapshot>();
        long freed = 0;
        foreach (var r in request.Replicas.Where(r => r.Evictable).OrderByDescending(r => NextUse(r.Model, request.Now)).ThenBy(r => r.Model, StringComparer.Ordinal))
        {
            if (freed >= request.BytesNeeded)
            {
                break;
            }

            victims.Add(r);
            freed += r.MemoryBytes;
        }

        return freed >= request.BytesNeeded ? new EvictionDecision(victims, null) : EvictionDecision.Refuse($"need {request.BytesNeeded} bytes more, evictable replicas hold {freed}");
    }

    public void OnUse(string model, DateTimeOffset now)
    {
    }

    /// <summary>The first use of <paramref name="model"/> after <paramref name="now"/>; <see cref="DateTimeOffset.MaxValue"/> when none.</summary>
    private DateTimeOffset NextUse(string model, DateTimeOffset now)
    {
        if (!uses.TryGetValue(model, out var times))
        {
            return DateTimeOffset.MaxValue;
        }

        var i = Array.BinarySearch(times, now);
        i = i < 0 ? ~i : i + 1;
        while (i < times.Length && times[i] <= now)
        {
            i++;
        }

        return i < times.Length ? times[i] : DateTimeOffset.MaxValue;
    }
}
