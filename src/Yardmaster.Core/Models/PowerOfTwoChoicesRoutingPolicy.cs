namespace Yardmaster.Core.Models;

/// <summary>
/// Power of two choices: two distinct replicas with a free slot drawn at random, the less loaded
/// (<see cref="ReplicaSnapshot.InFlight"/> / <see cref="ReplicaSnapshot.Slots"/>) taken, the first drawn on a tie.
/// With one candidate it is taken; with none the answer is -1.
/// </summary>
/// <remarks>
/// Avoids the herd that least-outstanding causes when several routers act on the same stale snapshot.
/// Thread-safe only as far as the injected <see cref="Random"/> is (<see cref="Random.Shared"/> is; a seeded one is not).
/// </remarks>
public sealed class PowerOfTwoChoicesRoutingPolicy : IRoutingPolicy
{
    private readonly Random _random;

    /// <summary>Creates the policy drawing from <paramref name="random"/>.</summary>
    public PowerOfTwoChoicesRoutingPolicy(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        _random = random;
    }

    /// <inheritdoc />
    public string Name => "p2c";

    /// <inheritdoc />
    public int Choose(IReadOnlyList<ReplicaSnapshot> replicas)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        Span<int> free = replicas.Count <= 256 ? stackalloc int[replicas.Count] : new int[replicas.Count];
        var count = 0;
        for (var i = 0; i < replicas.Count; i++)
        {
            if (replicas[i].FreeSlots > 0)
            {
                free[count++] = i;
            }
        }

        if (count <= 1)
        {
            return count == 1 ? free[0] : -1;
        }

        var first = _random.Next(count);
        var second = _random.Next(count - 1);
        if (second >= first)
        {
            second++;
        }

        var a = free[first];
        var b = free[second];
        return Load(replicas[b]) < Load(replicas[a]) ? b : a;
    }

    private static double Load(ReplicaSnapshot replica) => replica.InFlight / (double)replica.Slots;
}
