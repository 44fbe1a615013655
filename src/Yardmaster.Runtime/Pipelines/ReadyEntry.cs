using Yardmaster.Core;
using Yardmaster.Core.Pipelines;

namespace Yardmaster.Runtime.Pipelines;

/// <summary>A ready step in the scheduler's ordered set, by <see cref="ReadyOrder"/>: class, remaining critical path, run, place in its file.</summary>
internal sealed class ReadyEntry(ActiveStep step, PriorityClass priority, double criticalPath) : IComparable<ReadyEntry>
{
    private readonly ReadyOrder _order = new(priority, criticalPath, step.Run.Sequence, step.Index);

    public ActiveStep Step { get; } = step;

    public PriorityClass Priority { get; } = priority;

    public int CompareTo(ReadyEntry? other) => other is null ? 1 : _order.CompareTo(other._order);
}
