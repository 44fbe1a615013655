namespace Yardmaster.Core.Placement.GpuSharing;

/// <summary>The GPU-sharing placement policies by name.</summary>
public static class GpuPlacementPolicies
{
    /// <summary>Fragmentation Gradient Descent (the paper's policy, the default).</summary>
    public const string Fgd = "fgd";

    /// <summary>FGD choosing the least fragmentation increase exactly, the lowest node on ties (a variant, to show what the plugin's scoring adds).</summary>
    public const string FgdExact = "fgd-exact";

    /// <summary>The node left tightest in CPU and GPU.</summary>
    public const string BestFit = "best-fit";

    /// <summary>The first node with room.</summary>
    public const string FirstFit = "first-fit";

    /// <summary>Tetris-style alignment of the request with the node's free resources (a baseline of the paper).</summary>
    public const string DotProduct = "dot-product";

    /// <summary>A random node with room, seeded (a baseline of the paper).</summary>
    public const string Random = "random";

    /// <summary>Every name, the default first.</summary>
    public static IReadOnlyList<string> Names { get; } = [Fgd, FgdExact, BestFit, FirstFit, DotProduct, Random];

    /// <summary>A new instance of the policy named <paramref name="name"/> (FGD measures against <paramref name="workload"/>; fgd and random draw from <paramref name="seed"/>); null for an unknown name.</summary>
    public static IGpuPlacementPolicy? Create(string name, GpuWorkload workload, int seed) => name switch
    {
        Fgd => new FragmentationGradientPlacement(workload ?? throw new ArgumentNullException(nameof(workload)), seed),
        FgdExact => new FragmentationGradientPlacement(workload ?? throw new ArgumentNullException(nameof(workload)), seed, exact: true),
        BestFit => new GpuBestFitPlacement(),
        FirstFit => new GpuFirstFitPlacement(),
        DotProduct => new GpuDotProductPlacement(),
        Random => new GpuRandomPlacement(seed),
        _ => null,
    };
}
