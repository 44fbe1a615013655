using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Yardmaster.Benchmarks.Placement;

/// <summary>
/// <see cref="PlacementBenchmarks.ReadySteps"/> ÷ mean time of one <see cref="PlacementBenchmarks.Plan"/> call:
/// placement decisions per second, the figure (goal 50,000/s). Includes the node copy, which
/// <see cref="PlacementBenchmarks.CopyNodes"/> shows is negligible; blank for that row.
/// </summary>
public sealed class DecisionsPerSecondColumn : IColumn
{
    public string Id => nameof(DecisionsPerSecondColumn);

    public string ColumnName => "Decisions/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "10,000 ready steps ÷ mean time of one Plan call (goal ≥ 50,000)";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(benchmarkCase);
        if (benchmarkCase.Descriptor.WorkloadMethod.Name != nameof(PlacementBenchmarks.Plan)
            || summary[benchmarkCase]?.ResultStatistics is not { } statistics)
        {
            return "-";
        }

        // Mean is in nanoseconds.
        return (PlacementBenchmarks.ReadySteps * 1e9 / statistics.Mean).ToString("N0", CultureInfo.InvariantCulture);
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
