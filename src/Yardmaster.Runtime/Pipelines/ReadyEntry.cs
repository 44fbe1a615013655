using Yardmaster.Core;

namespace Yardmaster.Runtime.Pipelines;

/// <summary>A ready step in the scheduler's ordered set: class first, then the longest remaining critical path, then submission order.</summary>
internal sealed class ReadyEntry(ActiveStep step, PriorityClass priority, double criticalPath) : IComparable<ReadyEntry>
{
    public ActiveStep Step { get; } = step;

    public PriorityClass Priority { get; } = priority;

    public double CriticalPath { get; } = criticalPath;

    public int CompareTo(ReadyEntry? other)
    {
        if (other is null)
        {
            return 1;
        }

        var c = Priority.CompareTo(other.Priority);
        if (c == 0)
        {
            c = other.CriticalPath.CompareTo(CriticalPath);
        }

        if (c == 0)
        {
            c = Step.Run.Sequence.CompareTo(other.Step.Run.Sequence);
        }

        return c != 0 ? c : Step.Index.CompareTo(other.Step.Index);
    }
}
