namespace Yardmaster.Core.Placement.GpuSharing;

/// <summary>
/// The target workload of FGD: the task types and their popularity (share of tasks), as the paper measures a node's
/// fragmentation against them. Types are grouped by GPU demand (count, thousandths, models) and sorted by CPU inside a
/// group, so <c>GpuFragmentation.Expected</c> is one pass over the types. Immutable and thread-safe.
/// </summary>
public sealed class GpuWorkload
{
    private GpuWorkload(IReadOnlyList<(GpuTask Task, double Popularity)> types, Group[] groups)
    {
        Types = types;
        Groups = groups;
        Mass = types.Sum(t => t.Popularity);
    }

    /// <summary>Every task type and its popularity (summing to 1), most popular first.</summary>
    public IReadOnlyList<(GpuTask Task, double Popularity)> Types { get; }

    internal Group[] Groups { get; }

    /// <summary>The popularities' sum (1 up to rounding).</summary>
    internal double Mass { get; }

    /// <summary>The workload of <paramref name="tasks"/>: each distinct task is a type, popular in proportion to how often it occurs.</summary>
    /// <exception cref="ArgumentException">No task.</exception>
    public static GpuWorkload From(IEnumerable<GpuTask> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var counts = new Dictionary<GpuTask, int>();
        var total = 0;
        foreach (var t in tasks)
        {
            counts[t] = counts.GetValueOrDefault(t) + 1;
            total++;
        }

        if (total == 0)
        {
            throw new ArgumentException("a workload needs at least one task", nameof(tasks));
        }

        var types = counts
            .OrderByDescending(c => c.Value).ThenBy(c => c.Key.GpuCount).ThenBy(c => c.Key.GpuMilli).ThenBy(c => c.Key.CpuMillis).ThenBy(c => c.Key.MemoryMib).ThenBy(c => c.Key.Models)
            .Select(c => (c.Key, (double)c.Value / total))
            .ToList();
        var groups = types
            .GroupBy(t => (t.Key.GpuCount, t.Key.GpuMilli, t.Key.Models))
            .OrderBy(g => g.Key.GpuCount).ThenBy(g => g.Key.GpuMilli).ThenBy(g => g.Key.Models)
            .Select(g =>
            {
                var members = g.OrderBy(t => t.Key.CpuMillis).ThenBy(t => t.Key.MemoryMib).ToArray();
                return new Group(g.Key.GpuCount, g.Key.GpuMilli, g.Key.Models, members.Select(m => m.Key.CpuMillis).ToArray(), members.Select(m => m.Key.MemoryMib).ToArray(), members.Select(m => m.Item2).ToArray());
            })
            .ToArray();
        return new GpuWorkload(types, groups);
    }

    /// <summary>Task types asking the same GPUs, by CPU ascending.</summary>
    internal sealed record Group(int GpuCount, int GpuMilli, ulong Models, long[] Cpu, long[] Memory, double[] Popularity);
}
