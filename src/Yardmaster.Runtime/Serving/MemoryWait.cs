namespace Yardmaster.Runtime.Serving;

/// <summary>A moment a request's model could not load because memory was held, and by whom.</summary>
/// <param name="At">When.</param>
/// <param name="Model">The model that could not load.</param>
/// <param name="Reason">The eviction policy's or the budget's words (e.g. "cpu: need 40 MiB more, evictable replicas hold 0 B (1 busy, 0 pinned, 0 loading)").</param>
/// <param name="Holders">The replicas that held the memory and could not be evicted.</param>
public sealed record MemoryWait(DateTimeOffset At, string Model, string Reason, IReadOnlyList<MemoryHolder> Holders)
{
    /// <summary>The holders in words, e.g. "memory held by model `tiny`, busy with task `nightly` (batch)"; the reason when none is known.</summary>
    public string Words => Holders.Count == 0 ? Reason : string.Join("; ", Holders.Select(h => h.Words));
}
