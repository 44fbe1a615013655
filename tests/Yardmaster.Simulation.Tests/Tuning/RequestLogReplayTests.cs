using Yardmaster.Core.Configuration;
using Yardmaster.Core.History;
using Yardmaster.Core.Statistics;
using Yardmaster.Simulation.Tuning;

namespace Yardmaster.Simulation.Tests.Tuning;

public sealed class RequestLogReplayTests
{
    private static readonly DateTimeOffset _t0 = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    private static RequestLogRecord Row(int second, string task, int prompt, int output, double? queue, double? ttft, double latency, RequestOutcome outcome = RequestOutcome.Completed) =>
        new($"r{second}", _t0.AddSeconds(second), task, "m", "high", prompt, output, queue, ttft, latency, outcome, outcome == RequestOutcome.Completed ? null : "queue_full");

    [Fact]
    public void Trace_RowsOutOfOrder_OffsetsFromTheFirstArrivalInOrder()
    {
        var trace = RequestLogReplay.Trace([Row(5, "chat", 10, 3, 0, 10, 20), Row(2, "bulk", 40, 7, 0, 10, 20)]);

        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(3)], trace.Select(t => t.Offset));
        Assert.Equal(("bulk", 40, 7, "m", "high"), (trace[0].Task, trace[0].PromptTokens, trace[0].OutputTokens, trace[0].Model, trace[0].Priority));
    }

    [Fact]
    public void Speed_CompletedRows_PrefillAndDecodeFromTheirTimes()
    {
        // 100 prompt tokens in 50 ms after the queue; 11 tokens out, the 10 after the first in 200 ms.
        var speed = RequestLogReplay.Speed([Row(0, "chat", 100, 11, 30, 80, 280), Row(1, "chat", 100, 11, 0, 50, 250), Row(2, "chat", 100, 0, null, null, 5, RequestOutcome.Refused)]);

        Assert.NotNull(speed);
        Assert.Equal(2000, speed.PrefillTokensPerSecond, 6);
        Assert.Equal(50, speed.DecodeTokensPerSecond, 6);
        Assert.Null(speed.LoadTime);
    }

    [Fact]
    public void Speed_NoCompletedRowWithATtft_Null() =>
        Assert.Null(RequestLogReplay.Speed([Row(0, "chat", 100, 0, null, null, 5, RequestOutcome.Refused)]));

    [Fact]
    public void Measured_LateAndRefusedMiss_AttainmentPerTask()
    {
        TaskDefinition[] tasks = [new() { Name = "chat", Latency = TimeSpan.FromMilliseconds(500), Models = ["m"] }];
        var run = RequestLogReplay.Measured([Row(0, "chat", 1, 1, 0, 100, 400), Row(1, "chat", 1, 1, 0, 100, 600), Row(2, "chat", 1, 0, null, null, 1, RequestOutcome.Refused), Row(3, "chat", 1, 1, 0, 100, 450)], tasks, TimeSpan.FromSeconds(4));

        var chat = Assert.Single(run.Tasks);
        Assert.Equal((4L, 2L), (chat.Requests, chat.SloMet!.Value));
        Assert.Equal(0.5, chat.SloAttainment!.Value, 6);
        Assert.Equal(0.5, chat.Goodput, 6);
    }

    [Fact]
    public void Worse_ByMoreThanTheMargin_OnlyThen()
    {
        var before = new AdaptMeasurement(_t0, _t0, 100, 0.80, new Dictionary<string, double>());
        Assert.False(AdaptPlanner.Worse(before, before with { Score = 0.79 }, margin: 0.02));
        Assert.True(AdaptPlanner.Worse(before, before with { Score = 0.77 }, margin: 0.02));
    }
}
