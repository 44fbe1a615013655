namespace Yardmaster.Core.Models;

/// <summary>The baseline: evict the least recently used evictable replicas until enough is free.</summary>
public sealed class LruEvictionPolicy : IEvictionPolicy
{
    /// <inheritdoc />
    public string Name => "lru";

    /// <inheritdoc />
    public EvictionDecision Choose(EvictionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return EvictionChoice.TakeInOrder(request, request.Replicas.Where(r => r.Evictable).OrderBy(r => r.LastUsed).ThenBy(r => r.Model, StringComparer.Ordinal));
    }

    /// <inheritdoc />
    public void OnUse(string model, DateTimeOffset now)
    {
    }
}
