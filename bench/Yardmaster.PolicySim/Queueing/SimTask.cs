using Yardmaster.Core;

namespace Yardmaster.PolicySim.Queueing;

/// <summary>A business task the trace's requests are spread over.</summary>
/// <param name="Name">The task's name (fair sharing is between tasks).</param>
/// <param name="Priority">Its class.</param>
/// <param name="Slo">Deadline = arrival + this.</param>
/// <param name="Percent">Share of the trace's requests, in percent.</param>
internal sealed record SimTask(string Name, PriorityClass Priority, TimeSpan Slo, int Percent)
{
    /// <summary>chat (high, 10 s, 20%), search (normal, 30 s, 30%), batch (batch, 10 min, 50%).</summary>
    public static IReadOnlyList<SimTask> Defaults { get; } =
    [
        new("chat", PriorityClass.High, TimeSpan.FromSeconds(10), 20),
        new("search", PriorityClass.Normal, TimeSpan.FromSeconds(30), 30),
        new("batch", PriorityClass.Batch, TimeSpan.FromMinutes(10), 50),
    ];

    /// <summary>The task of data row <paramref name="row"/>: a hash of the row index, bucketed by the shares.</summary>
    public static int Assign(IReadOnlyList<SimTask> tasks, int row)
    {
        var bucket = (int)(StableHash.Mix((ulong)row) % 100);
        for (var i = 0; i < tasks.Count; i++)
        {
            bucket -= tasks[i].Percent;
            if (bucket < 0)
            {
                return i;
            }
        }

        return tasks.Count - 1;
    }
}
