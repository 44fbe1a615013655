namespace Yardmaster.Core.Placement.GpuSharing;

/// <summary>Arithmetic over one node's free GPU capacities (thousandths of a GPU per GPU), shared by the policies and the fragmentation measure.</summary>
public static class GpuSlots
{
    /// <summary>True when <paramref name="free"/> can give <paramref name="count"/> GPUs of <paramref name="milli"/> each (whole GPUs must be wholly free).</summary>
    public static bool Fit(ReadOnlySpan<int> free, int count, int milli)
    {
        if (count == 0)
        {
            return true;
        }

        var found = 0;
        foreach (var f in free)
        {
            if (f >= milli && ++found >= count)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The GPU with the least free capacity that still holds <paramref name="milli"/> (lowest index on ties); -1 when none.</summary>
    public static int Tightest(ReadOnlySpan<int> free, int milli)
    {
        var best = -1;
        for (var g = 0; g < free.Length; g++)
        {
            if (free[g] >= milli && (best < 0 || free[g] < free[best]))
            {
                best = g;
            }
        }

        return best;
    }

    /// <summary>The lowest-indexed GPU that holds <paramref name="milli"/>; -1 when none.</summary>
    public static int First(ReadOnlySpan<int> free, int milli)
    {
        for (var g = 0; g < free.Length; g++)
        {
            if (free[g] >= milli)
            {
                return g;
            }
        }

        return -1;
    }

    /// <summary>The mask of the <paramref name="count"/> lowest-indexed wholly free GPUs; 0 when there are fewer.</summary>
    public static ulong LowestWhole(ReadOnlySpan<int> free, int count)
    {
        var mask = 0UL;
        var taken = 0;
        for (var g = 0; g < free.Length && taken < count; g++)
        {
            if (free[g] >= GpuTask.WholeGpu)
            {
                mask |= 1UL << g;
                taken++;
            }
        }

        return taken == count ? mask : 0;
    }

    /// <summary>The GPUs <paramref name="task"/> takes on a node with <paramref name="free"/>: the tightest GPU for a share, the lowest wholly free ones for whole GPUs, none for none (0; call it once the node fits).</summary>
    public static ulong Tightest(ReadOnlySpan<int> free, in GpuTask task) => task.GpuCount switch
    {
        0 => 0,
        _ when task.IsShared => Tightest(free, task.GpuMilli) is var g and >= 0 ? 1UL << g : 0,
        _ => LowestWhole(free, task.GpuCount),
    };

    /// <summary>The sum of the free capacities below <paramref name="milli"/> (the GPUs that cannot hold that much).</summary>
    public static long SumBelow(ReadOnlySpan<int> free, int milli)
    {
        long sum = 0;
        foreach (var f in free)
        {
            if (f < milli)
            {
                sum += f;
            }
        }

        return sum;
    }

    /// <summary>The sum of the free capacities.</summary>
    public static long Sum(ReadOnlySpan<int> free)
    {
        long sum = 0;
        foreach (var f in free)
        {
            sum += f;
        }

        return sum;
    }
}
