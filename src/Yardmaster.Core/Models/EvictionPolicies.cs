namespace Yardmaster.Core.Models;

/// <summary>The eviction policies by name.</summary>
public static class EvictionPolicies
{
    /// <summary>Names accepted in <c>scheduler.eviction</c>; the first is the default.</summary>
    public static IReadOnlyList<string> Names { get; } = ["session-lfu", "gdsf", "lru", "rotation"];

    /// <summary>A new instance of the policy called <paramref name="name"/> (one per device), or null when there is none.</summary>
    public static IEvictionPolicy? Create(string name) => name switch
    {
        "session-lfu" => new SessionLfuEvictionPolicy(),
        "gdsf" => new GdsfEvictionPolicy(),
        "lru" => new LruEvictionPolicy(),
        "rotation" => new RotationEvictionPolicy(),
        _ => null,
    };
}
