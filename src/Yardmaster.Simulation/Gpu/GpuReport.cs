namespace Yardmaster.Simulation.Gpu;

/// <summary>Everything <c>summary.json</c>, <c>summary.md</c> and the plots of an alibaba-gpu run show.</summary>
/// <param name="Trace">The pod list, as named on the command line.</param>
/// <param name="Nodes">The node list, as named.</param>
/// <param name="NodeCount">Nodes read.</param>
/// <param name="Gpus">GPUs of those nodes.</param>
/// <param name="Pods">Pods read (the pool arrivals are drawn from).</param>
/// <param name="MalformedNodes">Node rows skipped.</param>
/// <param name="MalformedPods">Pod rows skipped.</param>
/// <param name="Seed">The seed.</param>
/// <param name="Repetitions">Arrival sequences.</param>
/// <param name="MaxPercent">Arrivals stopped at this percent of GPU capacity.</param>
/// <param name="Selected">The policy under test (<c>--policy placement=</c>, else fgd), compared with best-fit.</param>
/// <param name="Policies">Each policy's curve.</param>
/// <param name="ElapsedSeconds">Wall time of the whole run, reading included.</param>
internal sealed record GpuReport(
    string Trace,
    string Nodes,
    int NodeCount,
    long Gpus,
    int Pods,
    long MalformedNodes,
    long MalformedPods,
    int Seed,
    int Repetitions,
    int MaxPercent,
    string Selected,
    IReadOnlyList<GpuPolicyResult> Policies,
    double ElapsedSeconds)
{
    private static readonly int[] _columns = [80, 90, 95, 100, 110, 120, 130];

    /// <summary>The arrived loads the tables show: 80, 90, 95, 100, 110, 120, 130 up to the maximum, and the maximum.</summary>
    public IReadOnlyList<int> Columns => [.. _columns.Where(c => c < MaxPercent).Append(MaxPercent)];

    /// <summary>The policy named <paramref name="name"/>; null when it was not run.</summary>
    public GpuPolicyResult? Policy(string name) => Policies.FirstOrDefault(p => p.Name == name);
}
