namespace Yardmaster.Core.Models;

/// <summary>The routing policies by name.</summary>
public static class RoutingPolicies
{
    /// <summary>Names accepted in <c>scheduler.routing</c>; the first is the default.</summary>
    public static IReadOnlyList<string> Names { get; } = ["least-outstanding", "p2c"];

    /// <summary>The policy called <paramref name="name"/>, or null when there is none.</summary>
    /// <param name="name">The configured name.</param>
    /// <param name="random">What the randomized policies draw from (<see cref="Random.Shared"/> in production, seeded in tests).</param>
    public static IRoutingPolicy? Create(string name, Random random) => name switch
    {
        "least-outstanding" => new LeastOutstandingRoutingPolicy(),
        "p2c" => new PowerOfTwoChoicesRoutingPolicy(random),
        _ => null,
    };
}
