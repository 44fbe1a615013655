using Yardmaster.Simulation.Reporting;

namespace Yardmaster.Simulation.Mixed;

/// <summary>What one setup of <see cref="MixedSimulation"/> did within its window.</summary>
/// <param name="Setup">"shared" or "split".</param>
/// <param name="Online">The online requests per task (SLO attainment, latency percentiles), as <c>yard bench replay</c> reports them live.</param>
/// <param name="Preps">CPU-bound <c>prep</c> steps finished within the window.</param>
/// <param name="Posts">CPU-bound <c>post</c> steps finished within the window.</param>
/// <param name="Lines">Inference lines answered within the window.</param>
/// <param name="LinesRetried">Inference lines refused (sent again after the retry delay).</param>
/// <param name="StepCoreShare">Core-seconds the steps used within the window, as a share of every core of the cluster.</param>
/// <param name="EngineBusyShare">Share of the window the step side's engines were serving something (mean over nodes).</param>
internal sealed record MixedResult(string Setup, RunSummary Online, long Preps, long Posts, long Lines, long LinesRetried, double StepCoreShare, double EngineBusyShare)
{
    /// <summary>CPU-bound steps finished within the window.</summary>
    public long CpuSteps => Preps + Posts;
}
