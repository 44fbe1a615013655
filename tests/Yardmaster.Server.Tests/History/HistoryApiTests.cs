using System.Net;
using System.Text.Json;
using Yardmaster.Server.Tests.Gateway;

namespace Yardmaster.Server.Tests.History;

/// <summary>The history through a real server: <c>/api/stats?since=</c> and <c>/api/history</c> from the rollups, across restarts.</summary>
public sealed class HistoryApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StatsSince_RequestsThenRestart_SameCountsFromTheStoreAfterRestart()
    {
        using var data = new TempDirectory();
        JsonElement live;
        await using (var gateway = await GatewayHarness.StartAsync(HistoryWorkload.Config, data.Path))
        {
            for (var i = 0; i < 3; i++)
            {
                await HistoryWorkload.CompleteAsync(gateway, "chat", 8);
            }

            live = await HistoryWorkload.WaitForAsync(gateway, "/api/stats?since=1h", s => HistoryWorkload.Requests(s, "chat") == 3);
            var sinceStart = await gateway.StatsAsync();
            var chat = live.GetProperty("tasks").GetProperty("chat");
            Assert.Equal(3, chat.GetProperty("outcomes").GetProperty("completed").GetInt32());
            Assert.Equal(24, chat.GetProperty("tokens_out").GetInt32());
            Assert.Equal(3, chat.GetProperty("latency_ms").GetProperty("count").GetInt32());
            Assert.True(live.TryGetProperty("since", out _), "a window answer says its window");
            // The same requests, counted the same way, as the since-start statistics.
            var started = sinceStart.GetProperty("tasks").GetProperty("chat");
            Assert.Equal(started.GetProperty("tokens_in").GetInt32(), chat.GetProperty("tokens_in").GetInt32());
            Assert.Equal(started.GetProperty("latency_ms").GetProperty("max").GetDouble(), chat.GetProperty("latency_ms").GetProperty("max").GetDouble(), 0.01);
        }

        await using (var restarted = await GatewayHarness.StartAsync(HistoryWorkload.Config, data.Path))
        {
            var sinceStart = await restarted.StatsAsync();
            Assert.False(sinceStart.GetProperty("tasks").TryGetProperty("chat", out _), "the since-start statistics begin empty");
            var window = await restarted.GetJsonAsync("/api/stats?since=1h");
            var chat = window.GetProperty("tasks").GetProperty("chat");
            var before = live.GetProperty("tasks").GetProperty("chat");
            Assert.Equal(before.GetProperty("requests").GetInt32(), chat.GetProperty("requests").GetInt32());
            Assert.Equal(before.GetProperty("tokens_out").GetInt32(), chat.GetProperty("tokens_out").GetInt32());
            Assert.Equal(before.GetProperty("latency_ms").GetProperty("p95").GetDouble(), chat.GetProperty("latency_ms").GetProperty("p95").GetDouble(), 0.001);
            Assert.Equal(1, window.GetProperty("models").GetProperty("tiny").GetProperty("loads").GetInt32());
        }
    }

    [Fact]
    public async Task StatsSince_RefusedRequest_CountsAsSloMissWithItsReason()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(HistoryWorkload.Config, data.Path);
        await HistoryWorkload.CompleteAsync(gateway, "limited", 4);
        using (var refused = await gateway.PostAsync("/v1/completions", new { model = "limited", prompt = "Once", max_tokens = 4 }))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        }

        foreach (var path in new[] { "/api/stats", "/api/stats?since=10m" })
        {
            var limited = (await HistoryWorkload.WaitForAsync(gateway, path, s => HistoryWorkload.Requests(s, "limited") == 2)).GetProperty("tasks").GetProperty("limited");
            Assert.Equal(0.5, limited.GetProperty("slo_attainment").GetDouble());
            Assert.Equal(1, limited.GetProperty("refusals").GetProperty("rate_limit").GetInt32());
        }
    }

    [Fact]
    public async Task History_Requests_SeriesPerTaskAndModelAndTheLoadEvent()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(HistoryWorkload.Config, data.Path);
        await HistoryWorkload.CompleteAsync(gateway, "chat", 6);
        await HistoryWorkload.CompleteAsync(gateway, "chat", 6);

        var history = await HistoryWorkload.WaitForAsync(
            gateway,
            "/api/history?since=30m&step=5m",
            h => h.GetProperty("tasks").TryGetProperty("chat", out var c) && c.EnumerateArray().Sum(p => p.GetProperty("completed").GetInt32()) == 2);
        Assert.Equal(300, history.GetProperty("step_seconds").GetInt32());
        var points = history.GetProperty("tasks").GetProperty("chat").EnumerateArray().ToList();
        Assert.Equal(2, points.Sum(p => p.GetProperty("completed").GetInt32()));
        Assert.Equal(12, points.Sum(p => p.GetProperty("tokens_out").GetInt32()));
        Assert.All(points, p => Assert.True(p.GetProperty("latency_p50_ms").GetDouble() > 0));
        Assert.Equal(2, history.GetProperty("models").GetProperty("tiny").EnumerateArray().Sum(p => p.GetProperty("requests").GetInt32()));
        var load = Assert.Single(history.GetProperty("events").EnumerateArray());
        Assert.Equal(("loaded", "tiny", "cpu"), (load.GetProperty("kind").GetString(), load.GetProperty("model").GetString(), load.GetProperty("device").GetString()));
        Assert.True(load.GetProperty("seconds").GetDouble() > 0);
    }

    [Theory]
    [InlineData("/api/stats?since=yesterday", "'since' must be a duration")]
    [InlineData("/api/stats?since=1h&until=2h", "must be after 'since'")]
    [InlineData("/api/history?since=1h&step=10s", "'step' must be a duration from 1m")]
    public async Task Window_BadParameter_400NamingIt(string path, string expected)
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(HistoryWorkload.Config, data.Path);
        using var response = await gateway.Http.GetAsync(path, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_WithoutAdminKey_401()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(HistoryWorkload.Config, data.Path);
        using var anonymous = gateway.Client(null);
        using var response = await anonymous.GetAsync("/api/history?since=1h", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task StatsSince_HistoryDisabled_409SayingSo()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(HistoryWorkload.Config + "\nhistory: { enabled: false }\n", data.Path);
        using var response = await gateway.Http.GetAsync("/api/stats?since=1h", Ct);
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("history.enabled: false", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }
}
