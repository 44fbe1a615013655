namespace Yardmaster.Core.Pipelines;

/// <summary>
/// Where a ready step stands in the order the job scheduler offers steps to the placement pass: its class first (the most
/// urgent first), then its remaining critical path (the longest first: the step that holds up the most work after it, as
/// HEFT's upward rank), then its run (the one submitted first), then its place in the pipeline file. The live scheduler's
/// ready set and the simulator order by the same key.
/// </summary>
/// <param name="Priority">Its pipeline's class.</param>
/// <param name="CriticalPath">Predicted seconds from its start to the end of the longest chain of steps needing it.</param>
/// <param name="Run">Its run's place in submission order.</param>
/// <param name="Index">Its place in the pipeline's steps.</param>
public readonly record struct ReadyOrder(PriorityClass Priority, double CriticalPath, long Run, int Index) : IComparable<ReadyOrder>
{
    /// <inheritdoc/>
    public int CompareTo(ReadyOrder other)
    {
        var c = Priority.CompareTo(other.Priority);
        if (c == 0)
        {
            c = other.CriticalPath.CompareTo(CriticalPath);
        }

        if (c == 0)
        {
            c = Run.CompareTo(other.Run);
        }

        return c != 0 ? c : Index.CompareTo(other.Index);
    }

    /// <summary>True when <paramref name="left"/> comes before <paramref name="right"/>.</summary>
    public static bool operator <(ReadyOrder left, ReadyOrder right) => left.CompareTo(right) < 0;

    /// <summary>True when <paramref name="left"/> comes after <paramref name="right"/>.</summary>
    public static bool operator >(ReadyOrder left, ReadyOrder right) => left.CompareTo(right) > 0;

    /// <summary>True when <paramref name="left"/> does not come after <paramref name="right"/>.</summary>
    public static bool operator <=(ReadyOrder left, ReadyOrder right) => left.CompareTo(right) <= 0;

    /// <summary>True when <paramref name="left"/> does not come before <paramref name="right"/>.</summary>
    public static bool operator >=(ReadyOrder left, ReadyOrder right) => left.CompareTo(right) >= 0;
}
