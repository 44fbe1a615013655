namespace Yardmaster.Core.Placement;

/// <summary>The placement policies by name.</summary>
public static class PlacementPolicies
{
    /// <summary>The first node with room.</summary>
    public const string FirstFit = "first-fit";

    /// <summary>The tightest node (the default, with backfill in <see cref="SchedulingPass"/>).</summary>
    public const string BestFit = "best-fit";

    /// <summary>Every name, the default first.</summary>
    public static IReadOnlyList<string> Names { get; } = [BestFit, FirstFit];

    /// <summary>The policy named <paramref name="name"/>; null for an unknown name.</summary>
    public static IPlacementPolicy? Create(string name) => name switch
    {
        FirstFit => new FirstFitPlacement(),
        BestFit => new BestFitPlacement(),
        _ => null,
    };
}
