using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Units;

namespace Yardmaster.Server.Adapt;

/// <summary>A change of the live scheduler settings in one line, for the log: <c>max_wait.batch 1s -> 10m</c>.</summary>
internal static class SchedulerDiff
{
    /// <summary>The settings that differ, one phrase each (<c>max_wait.batch 1s -> 10m</c>); empty when none does.</summary>
    public static IReadOnlyList<string> Changes(SchedulerSettings from, SchedulerSettings to)
    {
        var parts = new List<string>();
        if (from.Queue != to.Queue)
        {
            parts.Add($"queue {from.Queue} -> {to.Queue}");
        }

        if (from.Eviction != to.Eviction)
        {
            parts.Add($"eviction {from.Eviction} -> {to.Eviction}");
        }

        if (from.MaxQueue != to.MaxQueue)
        {
            parts.Add($"max_queue {from.MaxQueue} -> {to.MaxQueue}");
        }

        foreach (var priority in PriorityClasses.All)
        {
            var (a, b) = (from.QueueOptions.MaxWaitFor(priority), to.QueueOptions.MaxWaitFor(priority));
            if (a != b)
            {
                parts.Add($"max_wait.{priority.Name()} {Durations.Format(a)} -> {Durations.Format(b)}");
            }
        }

        return parts;
    }

    /// <summary>The changes in one line, or <c>no change</c>.</summary>
    public static string Describe(SchedulerSettings from, SchedulerSettings to) =>
        Changes(from, to) is { Count: > 0 } parts ? string.Join(", ", parts) : "no change";
}
