using System.Globalization;
using Yardmaster.Core.Reporting;

namespace Yardmaster.Simulation.Reporting;

/// <summary>
/// The SVG plots of a request-trace simulation, one line per policy over the runs' x axis (the label's part after
/// " at ": the load of an LLM trace, the memory budget of the GenAI trace): SLO attainment per task and goodput; and,
/// where the runs count loads, loads and load time. Pure: <see cref="Plots"/> returns the files' names and contents.
/// </summary>
internal static class ServingPlots
{
    public static IReadOnlyList<(string File, string Svg)> Plots(IReadOnlyList<RunSummary> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var points = runs.Select(r => (Run: r, Split: Split(r.Label))).Where(p => p.Split is not null).Select(p => (p.Run, p.Split!.Value.Policy, p.Split.Value.X, p.Split.Value.Unit)).ToList();
        if (points.Count == 0)
        {
            return [];
        }

        var (minX, maxX) = (points.Min(p => p.X), points.Max(p => p.X));
        var axis = points[0].Unit == "%" ? "memory budget (% of the models' total size)" : "load (× the trace's own rate)";
        List<SvgChart.XyLine> Lines(Func<RunSummary, double?> value) =>
            [.. points.GroupBy(p => p.Policy, StringComparer.Ordinal).Select(g => new SvgChart.XyLine(
                g.Key,
                [.. g.Where(p => value(p.Run) is not null).OrderBy(p => p.X).Select(p => (p.X, value(p.Run)!.Value))],
                Dashed: g.Key is "bound" or "belady"))];

        var plots = new List<(string, string)>
        {
            ("goodput.svg", SvgChart.XyLines("Goodput (requests within SLO per second)", axis, " req/s", minX, maxX, Lines(r => r.All.Goodput))),
        };
        foreach (var task in points.SelectMany(p => p.Run.Tasks).Where(t => t.SloAttainment is not null).Select(t => t.Task).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            plots.Add(($"attainment-{task}.svg", SvgChart.XyLines($"SLO attainment of {task}", axis, "%", minX, maxX, Lines(r => r.Tasks.FirstOrDefault(t => t.Task == task)?.SloAttainment * 100), 100)));
        }

        if (points.Any(p => Parameter(p.Run, "loads") is not null))
        {
            plots.Add(("loads.svg", SvgChart.XyLines("Model loads", axis, "", minX, maxX, Lines(r => Parameter(r, "loads")))));
            plots.Add(("load-time.svg", SvgChart.XyLines("Total load time", axis, " h", minX, maxX, Lines(r => Parameter(r, "load_time_s") / 3600))));
        }

        return plots;
    }

    /// <summary><c>fcfs at 1.25×</c> → (fcfs, 1.25, ×); <c>lru at 30%</c> → (lru, 30, %); null for another label.</summary>
    private static (string Policy, double X, string Unit)? Split(string label)
    {
        var at = label.LastIndexOf(" at ", StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var x = label[(at + 4)..];
        var unit = x.EndsWith('%') ? "%" : x.EndsWith('×') ? "×" : null;
        return unit is not null && double.TryParse(x[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? (label[..at], value, unit) : null;
    }

    private static double? Parameter(RunSummary run, string name) =>
        run.Parameters.FirstOrDefault(p => p.Key == name).Value is { } text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
}
