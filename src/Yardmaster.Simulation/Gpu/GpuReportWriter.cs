using System.Globalization;
using System.Text;
using System.Text.Json;
using Yardmaster.Core;
using Yardmaster.Core.Placement.GpuSharing;
using Yardmaster.Core.Reporting;

namespace Yardmaster.Simulation.Gpu;

/// <summary>Writes an alibaba-gpu run's <c>summary.json</c>, <c>summary.md</c> and SVG plots.</summary>
internal static class GpuReportWriter
{
    private static readonly JsonSerializerOptions _indented = new(ReadableJson.Serializer) { WriteIndented = true };

    /// <summary>The plots' file names.</summary>
    public static IReadOnlyList<string> Plots { get; } = ["unallocated-gpu.svg", "failed-gpu.svg", "fragmentation.svg"];

    /// <summary>Writes the files into <paramref name="folder"/> (created if absent); returns the markdown summary.</summary>
    public static async Task<string> WriteAsync(string folder, GpuReport report, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var markdown = Markdown(report);
        await File.WriteAllTextAsync(Path.Combine(folder, "summary.md"), markdown, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(folder, "summary.json"), Json(report), cancellationToken).ConfigureAwait(false);
        var from = Math.Min(90, report.MaxPercent - 1); // saturation, where the policies differ
        var unallocated = SvgChart.XyLines("Unallocated GPUs as pods arrive", "arrived workload (% of GPU capacity)", "% of GPUs", from, report.MaxPercent, Lines(report, p => p.Unallocated));
        var failed = SvgChart.XyLines("GPUs asked by pods that could not be placed", "arrived workload (% of GPU capacity)", "% of GPUs", from, report.MaxPercent, Lines(report, p => p.FailedGpu));
        var fragmentation = SvgChart.XyLines("Expected GPU fragmentation (FGD's measure)", "arrived workload (% of GPU capacity)", "% of GPUs", 0, report.MaxPercent, Lines(report, p => p.Fragmented));
        string[] plots = [unallocated, failed, fragmentation];
        for (var i = 0; i < Plots.Count; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(folder, Plots[i]), plots[i], cancellationToken).ConfigureAwait(false);
        }

        return markdown;
    }

    /// <summary>Unallocated GPUs of <paramref name="policy"/> over best-fit's at <paramref name="arrived"/>% (below 1: fewer GPUs left idle); null without best-fit.</summary>
    public static double? RatioToBestFit(GpuReport report, string policy, int arrived) =>
        report.Policy(GpuPlacementPolicies.BestFit) is { } bestFit && report.Policy(policy) is { } p && bestFit.Points[arrived].Unallocated > 0
            ? p.Points[arrived].Unallocated / bestFit.Points[arrived].Unallocated
            : null;

    private static List<SvgChart.XyLine> Lines(GpuReport report, Func<GpuPoint, double> value) =>
        [.. report.Policies.Select(p => new SvgChart.XyLine(p.Name, [.. p.Points.Select(x => ((double)x.Arrived, value(x)))], Dashed: p.Name != report.Selected && p.Name != GpuPlacementPolicies.BestFit))];

    private static string Markdown(GpuReport r)
    {
        var md = new StringBuilder();
        md.AppendLine("# yard simulate: alibaba-gpu").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Pods `{r.Trace}` ({r.Pods} read, {r.MalformedPods} malformed rows skipped) on nodes `{r.Nodes}` ({r.NodeCount} nodes, {r.Gpus} GPUs, {r.MalformedNodes} malformed rows skipped).");
        md.AppendLine(CultureInfo.InvariantCulture, $"Pods drawn at random from the trace arrive one by one, never leaving, until they ask {r.MaxPercent}% of the GPUs; {r.Repetitions} sequences (seed {r.Seed}), each placed by every policy; means over them. {r.ElapsedSeconds:0.0} s.");
        md.AppendLine();
        Table(md, r, "Unallocated GPUs (% of capacity) by arrived workload (% of GPU capacity)", p => string.Create(CultureInfo.InvariantCulture, $"{p.Unallocated:0.00} ± {p.UnallocatedSd:0.00}"));
        Table(md, r, "Pods not placed (the GPUs they asked, % of capacity)", p => string.Create(CultureInfo.InvariantCulture, $"{p.UnplacedPods:0.#} ({p.FailedGpu:0.00}%)"));
        Table(md, r, "Expected fragmentation of the free GPUs (FGD's measure, % of capacity)", p => string.Create(CultureInfo.InvariantCulture, $"{p.Fragmented:0.00}"));
        foreach (var x in new[] { 100, r.MaxPercent }.Where(x => x <= r.MaxPercent).Distinct())
        {
            if (r.Selected != GpuPlacementPolicies.BestFit && RatioToBestFit(r, r.Selected, x) is { } ratio)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- At {x}% arrived, {r.Selected} leaves {r.Policy(r.Selected)!.Points[x].Unallocated:0.00}% of the GPUs unallocated against best-fit's {r.Policy(GpuPlacementPolicies.BestFit)!.Points[x].Unallocated:0.00}%: {ratio:0.00}× ({(1 - ratio) * 100:0}% fewer).");
            }
        }

        return md.ToString();
    }

    private static void Table(StringBuilder md, GpuReport r, string title, Func<GpuPoint, string> cell)
    {
        md.AppendLine(CultureInfo.InvariantCulture, $"## {title}").AppendLine();
        md.AppendLine("| policy | " + string.Join(" | ", r.Columns.Select(c => $"{c}%")) + " |");
        md.AppendLine("|---|" + string.Concat(r.Columns.Select(_ => "---:|")));
        foreach (var p in r.Policies)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {p.Name} | {string.Join(" | ", r.Columns.Select(c => cell(p.Points[c])))} |");
        }

        md.AppendLine();
    }

    private static string Json(GpuReport r)
    {
        var document = new
        {
            format = "alibaba-gpu",
            trace = r.Trace,
            nodes = r.Nodes,
            cluster = new { nodes = r.NodeCount, gpus = r.Gpus },
            pods = r.Pods,
            malformed = new { nodes = r.MalformedNodes, pods = r.MalformedPods },
            seed = r.Seed,
            repetitions = r.Repetitions,
            maxArrivedPercent = r.MaxPercent,
            selected = r.Selected,
            elapsedSeconds = Math.Round(r.ElapsedSeconds, 3),
            unallocatedRatioToBestFit = r.Policies.ToDictionary(p => p.Name, p => new[] { 100, r.MaxPercent }.Where(x => x <= r.MaxPercent).Distinct().ToDictionary(x => x.ToString(CultureInfo.InvariantCulture), x => RatioToBestFit(r, p.Name, x) is { } v ? Math.Round(v, 4) : (double?)null)),
            policies = r.Policies.Select(p => new
            {
                name = p.Name,
                points = p.Points.Select(x => new
                {
                    arrived = x.Arrived,
                    allocated = Math.Round(x.Allocated, 3),
                    unallocated = Math.Round(x.Unallocated, 3),
                    unallocatedSd = Math.Round(x.UnallocatedSd, 3),
                    fragmented = Math.Round(x.Fragmented, 3),
                    failedGpu = Math.Round(x.FailedGpu, 3),
                    unplacedPods = Math.Round(x.UnplacedPods, 1),
                }),
            }),
        };
        return JsonSerializer.Serialize(document, _indented);
    }
}
