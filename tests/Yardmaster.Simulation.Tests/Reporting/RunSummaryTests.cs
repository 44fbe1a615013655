using System.Text.Json;
using Yardmaster.Core.Statistics;
using Yardmaster.Simulation.Reporting;

namespace Yardmaster.Simulation.Tests.Reporting;

public sealed class RunSummaryTests
{
    private static readonly Dictionary<string, SloTarget> _slos = new()
    {
        ["chat"] = new SloTarget(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10)),
    };

    [Fact]
    public void Build_MixedOutcomes_CountsAttainmentGoodputAndRefusalsPerTask()
    {
        var builder = new RunSummaryBuilder(_slos);
        builder.Add(new("chat", RequestOutcome.Completed, Ms(100), Ms(2000)));
        builder.Add(new("chat", RequestOutcome.Completed, Ms(900), Ms(2000)));            // TTFT over 500 ms: a miss
        builder.Add(new("chat", RequestOutcome.Completed, Ms(100), Ms(12000)));           // latency over 10 s: a miss
        builder.Add(new("chat", RequestOutcome.Refused, null, Ms(1), 429, "queue_full"));
        builder.Add(new("chat", RequestOutcome.Invalid, null, Ms(1), 400, "context_length_exceeded")); // not counted
        builder.Add(new("batch", RequestOutcome.Completed, Ms(50), Ms(60000)));
        builder.Add(new("batch", RequestOutcome.Refused, null, Ms(1), 503, "deadline_unmeetable"));
        builder.Add(new("batch", RequestOutcome.TimedOut, null, Ms(1), 504, "deadline_exceeded"));

        var summary = builder.Build("replay", [new("speed", "2×")], TimeSpan.FromSeconds(10));

        Assert.Equal(["batch", "chat"], summary.Tasks.Select(t => t.Task));
        var chat = summary.Tasks[1];
        Assert.Equal((5L, 3L, 1L, 0L, 0L, 1L), (chat.Requests, chat.Completed, chat.Refused, chat.TimedOut, chat.Failed, chat.Other));
        Assert.Equal((1L, 0.25), (chat.SloMet!.Value, chat.SloAttainment!.Value));
        Assert.Equal(0.1, chat.Goodput, 6);
        Assert.Equal(new Dictionary<int, long> { [400] = 1, [429] = 1 }, chat.RefusalsByStatus);
        var batch = summary.Tasks[0];
        Assert.Null(batch.Slo);
        Assert.Null(batch.SloAttainment);
        Assert.Equal(0.1, batch.Goodput, 6); // no SLO: every completion counts
        Assert.Equal(60000, batch.Latency!.P99, 3);
        Assert.Equal((8L, 4L, 2L, 1L), (summary.All.Requests, summary.All.Completed, summary.All.Refused, summary.All.TimedOut));
        Assert.Equal(0.25, summary.All.SloAttainment!.Value); // over the tasks that have an SLO
        Assert.Equal(0.2, summary.All.Goodput, 6);
    }

    [Fact]
    public void Writers_OneRun_JsonForScriptsAndAMarkdownTable()
    {
        var builder = new RunSummaryBuilder(_slos);
        builder.Add(new("chat", RequestOutcome.Completed, Ms(100), Ms(2000)));
        builder.Add(new("chat", RequestOutcome.Refused, null, Ms(1), 429, "rate_limit"));
        var report = new SummaryReport("yard bench replay", "t.csv", "azure-llm", [builder.Build("replay", [new("speed", "1×")], TimeSpan.FromSeconds(4))], ["A note."]);

        using var json = JsonDocument.Parse(SummaryWriter.ToJson(report));
        var markdown = SummaryWriter.ToMarkdown(report);

        var chat = json.RootElement.GetProperty("runs")[0].GetProperty("tasks")[0];
        Assert.Equal(0.5, chat.GetProperty("slo_attainment").GetDouble());
        Assert.Equal(500, chat.GetProperty("slo").GetProperty("ttft_ms").GetDouble());
        Assert.Equal(1, chat.GetProperty("refusals_by_status").GetProperty("429").GetInt32());
        Assert.Equal(0.25, chat.GetProperty("goodput_per_s").GetDouble());
        Assert.Equal(4, json.RootElement.GetProperty("runs")[0].GetProperty("duration_s").GetDouble());
        Assert.Contains("- A note.", markdown, StringComparison.Ordinal);
        Assert.Contains("speed 1× · duration 4 s", markdown, StringComparison.Ordinal);
        Assert.Contains("| chat | 2 | 1 | 1 | 0 | 0 | 0 | TTFT 500ms, latency 10s | 50.0% | 0.25 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| 429: 1 (rate_limit 1) |", markdown, StringComparison.Ordinal);
    }

    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);
}
