using Yardmaster.Core;

namespace Yardmaster.Simulation.Traces;

/// <summary>
/// The default split of a trace's requests into three task classes, shared by <c>yard simulate</c> and
/// <c>yard bench replay</c> so that both send a request to the same task: the task the trace names (yard); else by the
/// class it names (critical and high: <c>chat</c>; normal: <c>search</c>; low and batch: <c>batch</c>); else by
/// <c>SplitMix64(index) mod 100</c> of its index in the sorted trace (for the Azure trace, its data row), bucketed
/// 20 / 30 / 50 (as the policy simulation of 2026-11-22 did). Pure and deterministic.
/// </summary>
public static class TraceTasks
{
    /// <summary><c>chat</c> (high, latency 10 s, 20%), <c>search</c> (normal, 30 s, 30%), <c>batch</c> (batch, 10 min, 50%).</summary>
    public static IReadOnlyList<TraceTask> Defaults { get; } =
    [
        new("chat", PriorityClass.High, TimeSpan.FromSeconds(10), 20),
        new("search", PriorityClass.Normal, TimeSpan.FromSeconds(30), 30),
        new("batch", PriorityClass.Batch, TimeSpan.FromMinutes(10), 50),
    ];

    /// <summary>The task of <paramref name="request"/>, the <paramref name="index"/>th (0-based) of its sorted trace.</summary>
    /// <param name="request">The request.</param>
    /// <param name="index">Its index in the sorted trace.</param>
    /// <param name="salt">0 for the split above; another value draws another split of the same shares (<c>yard tune</c>'s seeds).</param>
    public static string For(TraceRequest request, int index, ulong salt = 0)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Task is { } task)
        {
            return task;
        }

        if (PriorityClasses.TryParse(request.Priority, out var priority))
        {
            return priority switch
            {
                PriorityClass.Critical or PriorityClass.High => Defaults[0].Name,
                PriorityClass.Normal => Defaults[1].Name,
                _ => Defaults[2].Name,
            };
        }

        var bucket = (int)(StableHash.Mix((ulong)index ^ (salt == 0 ? 0 : StableHash.Mix(salt))) % 100);
        foreach (var t in Defaults)
        {
            bucket -= t.Percent;
            if (bucket < 0)
            {
                return t.Name;
            }
        }

        return Defaults[^1].Name;
    }
}
