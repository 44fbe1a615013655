using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Yardmaster.Inference.Gguf;

namespace Yardmaster.Benchmarks.Kernels;

/// <summary>
/// Weight bytes one <see cref="MatVecBenchmarks"/> call reads, divided by its mean time, in GB/s
/// (10⁹ bytes per second): the figure to hold against the machine's read bandwidth. A batch reads each
/// weight once, so batch 4 at the same GB/s as batch 1 means four vectors for the price of one.
/// </summary>
public sealed class WeightBandwidthColumn : IColumn
{
    public string Id => nameof(WeightBandwidthColumn);

    public string ColumnName => "Weights GB/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Weight bytes read per call ÷ mean time, 10^9 bytes/s; compare with Yardmaster.Bandwidth";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(benchmarkCase);
        if (summary[benchmarkCase]?.ResultStatistics is not { } statistics
            || benchmarkCase.Parameters["Type"] is not GgmlType type
            || benchmarkCase.Parameters["Shape"] is not string shape)
        {
            return "NA";
        }

        // Bytes per nanosecond is GB/s.
        return (MatVecBenchmarks.WeightBytes(type, shape) / statistics.Mean).ToString("F1", CultureInfo.InvariantCulture);
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
