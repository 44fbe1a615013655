using Quartz;

namespace Yardmaster.QuartzBench;

/// <summary>The trivial job: does nothing but count itself done.</summary>
internal sealed class NoOpJob : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        Completions.Add();
        return ValueTask.CompletedTask;
    }
}
