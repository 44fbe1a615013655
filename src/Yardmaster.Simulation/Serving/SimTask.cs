using Yardmaster.Core.Admission;
using Yardmaster.Core.Configuration;

namespace Yardmaster.Simulation.Serving;

/// <summary>One simulated task: its definition, requests in progress and rate bucket, as the live scheduler's <c>TaskEntry</c>.</summary>
internal sealed class SimTask(TaskDefinition definition)
{
    public TaskDefinition Definition { get; } = definition;

    public int Admitted { get; set; }

    public TokenBucket? Bucket { get; } = definition.Rate is { } rate ? new TokenBucket(rate) : null;

    /// <summary>The latency SLO a request is judged by (the task's, else its deadline).</summary>
    public TimeSpan Slo => Definition.Latency ?? TimeSpan.FromMinutes(5);
}
