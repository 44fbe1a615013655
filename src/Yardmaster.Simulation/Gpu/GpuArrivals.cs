using Yardmaster.Core.Placement.GpuSharing;

namespace Yardmaster.Simulation.Gpu;

/// <summary>The arrival sequences of the experiment: pods drawn from the trace at random, with replacement, seeded.</summary>
internal static class GpuArrivals
{
    /// <summary>
    /// Indexes into <paramref name="pool"/>, drawn uniformly with replacement until the GPUs they ask reach
    /// <paramref name="targetMilli"/> thousandths (pods asking no GPU arrive too, between them).
    /// </summary>
    /// <exception cref="ArgumentException">No pod of the pool asks for a GPU.</exception>
    public static int[] Sample(IReadOnlyList<GpuTask> pool, long targetMilli, int seed)
    {
        ArgumentNullException.ThrowIfNull(pool);
        if (!pool.Any(t => t.GpuDemandMilli > 0))
        {
            throw new ArgumentException("no pod of the trace asks for a GPU", nameof(pool));
        }

        var random = new Random(seed);
        var sequence = new List<int>();
        long arrived = 0;
        while (arrived < targetMilli)
        {
            var i = random.Next(pool.Count);
            sequence.Add(i);
            arrived += pool[i].GpuDemandMilli;
        }

        return [.. sequence];
    }

    /// <summary>The seed of repetition <paramref name="repetition"/> (0-based) of a run seeded <paramref name="seed"/>: the same on every machine and process.</summary>
    public static int SeedOf(int seed, int repetition) => unchecked((seed * 7919) + repetition);
}
