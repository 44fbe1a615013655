using Yardmaster.Core.Reporting;

namespace Yardmaster.Core.Tests.Reporting;

public sealed class SvgChartTests
{
    [Fact]
    public void XyLines_TwoLines_OnePathEachWithLegendAndAxisLabel()
    {
        var svg = SvgChart.XyLines("Unallocated", "arrived (%)", "% of GPUs", 70, 130,
        [
            new SvgChart.XyLine("fgd", [(0, 100), (70, 30), (100, 5), (130, 4.5)]),
            new SvgChart.XyLine("best-fit <bf>", [(70, 30), (100, 7), (130, 6.8)], Dashed: true),
        ]);

        Assert.StartsWith("<svg", svg, StringComparison.Ordinal);
        Assert.EndsWith("</svg>", svg, StringComparison.Ordinal);
        Assert.Equal(2, svg.Split("<path d=\"M").Length - 1);
        Assert.Contains(">fgd</text>", svg, StringComparison.Ordinal);
        Assert.Contains("best-fit &lt;bf&gt;", svg, StringComparison.Ordinal);
        Assert.Contains(">arrived (%)</text>", svg, StringComparison.Ordinal);
        Assert.Contains(">130</text>", svg, StringComparison.Ordinal); // the last x tick
        Assert.Contains("stroke-dasharray", svg, StringComparison.Ordinal);
        Assert.Equal(3, svg.Split("<path d=\"")[1].Split('"')[0].Split(' ').Length); // fgd's point at x 0 is left out
    }

    [Fact]
    public void XyLines_NoPointInRange_SaysNoData()
    {
        var svg = SvgChart.XyLines("t", "x", "y", 10, 20, [new SvgChart.XyLine("a", [(0, 1), (30, 2)])]);

        Assert.Contains("no data", svg, StringComparison.Ordinal);
        Assert.DoesNotContain("<path", svg, StringComparison.Ordinal);
    }
}
