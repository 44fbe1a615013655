using System.Net;
using static Yardmaster.Server.Tests.Gateway.GatewayResponses;

namespace Yardmaster.Server.Tests.Gateway;

/// <summary>
/// Selection by measured quality: a task's <c>quality: { metric, min }</c> sends its requests to the cheapest model meeting
/// the floor, as recorded through <c>/api/models/{name}/quality</c> in the SQLite store; the response says which and why.
/// </summary>
public sealed class GatewayQualityTests
{
    private const string Config = """
        server: { port: 0 }
        auth: { admin_keys: [admin-key] }
        models:
          - { name: small, path: stories260K.gguf, slots: 1, context: 64, cost: 1 }
          - { name: large, path: stories260K.gguf, slots: 1, context: 64, cost: 5 }
        tasks:
          - name: triage
            slo: { latency: 60s }
            models: [small, large]
            quality: { metric: triage-v1, min: 0.8 }
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Triage_QualityRecorded_CheapestModelMeetingTheFloorServesAndSurvivesRestart()
    {
        using var data = new TempDirectory();
        await using (var gateway = await GatewayHarness.StartAsync(Config, data.Path, key: "admin-key"))
        {
            // Nothing measured yet: the floor is unmet, the cheapest serves, and the stats count it.
            var (model, selection) = await AskAsync(gateway);
            Assert.Equal("small", model);
            Assert.Contains("no candidate has a quality measured on triage-v1; quality floor unmet", selection, StringComparison.Ordinal);
            var stats = await gateway.StatsAsync();
            Assert.Equal(1, stats.GetProperty("tasks").GetProperty("triage").GetProperty("quality_floor_unmet").GetInt32());

            await RecordAsync(gateway, "small", 0.6);
            await RecordAsync(gateway, "large", 0.9);
            (model, selection) = await AskAsync(gateway);
            Assert.Equal("large", model);
            Assert.StartsWith("1 of 2 meet quality 0.8 on triage-v1", selection, StringComparison.Ordinal);

            await RecordAsync(gateway, "small", 0.85);
            (model, selection) = await AskAsync(gateway);
            Assert.Equal("small", model);
            Assert.Equal("2 of 2 meet quality 0.8 on triage-v1; the cheapest of the 2 predicted to answer in time", selection);

            var quality = await gateway.GetJsonAsync("/api/models/small/quality");
            Assert.Equal([0.85], quality.GetProperty("latest").EnumerateArray().Select(q => q.GetProperty("score").GetDouble()));
            Assert.Equal([0.85, 0.6], quality.GetProperty("history").EnumerateArray().Select(q => q.GetProperty("score").GetDouble()));
            var latest = quality.GetProperty("latest")[0];
            Assert.Equal(("triage-v1", 200, "eval/triage.jsonl", "api"), (latest.GetProperty("metric").GetString(), latest.GetProperty("count").GetInt32(), latest.GetProperty("dataset").GetString(), latest.GetProperty("source").GetString()));
            Assert.InRange(latest.GetProperty("ci_low").GetDouble(), 0.79, 0.80);
            Assert.InRange(latest.GetProperty("ci_high").GetDouble(), 0.89, 0.90);
            using (var other = await gateway.PostAsync("/api/models/small/quality", new { metric = "summaries-v2", score = 0.4, count = 10, dataset = "d" }))
            {
                Assert.Equal(HttpStatusCode.Created, other.StatusCode);
            }

            var limited = await gateway.GetJsonAsync("/api/models/small/quality?limit=1");
            Assert.Equal(1, limited.GetProperty("history").GetArrayLength());
            Assert.Equal(["summaries-v2", "triage-v1"], limited.GetProperty("latest").EnumerateArray().Select(q => q.GetProperty("metric").GetString()).Order(StringComparer.Ordinal)); // latest per metric, whatever the limit
        }

        await using var restarted = await GatewayHarness.StartAsync(Config, data.Path, key: "admin-key");
        var (after, _) = await AskAsync(restarted);
        Assert.Equal("small", after);
        Assert.Equal(0.9, (await restarted.GetJsonAsync("/api/models/large/quality")).GetProperty("latest")[0].GetProperty("score").GetDouble());
    }

    [Fact]
    public async Task Quality_BadInput_RefusedNamingTheFieldAndNothingRecorded()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config, data.Path, key: "admin-key");
        using (var response = await gateway.PostAsync("/api/models/small/quality", new { metric = "triage-v1", score = 1.2, count = 10, dataset = "d" }))
        {
            var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
            Assert.Contains("'score' must be in [0, 1], got 1.2", problem.GetProperty("errors").EnumerateArray().Select(e => e.GetString()));
        }

        using (var response = await gateway.PostAsync("/api/models/small/quality", new { metric = "triage-v1", score = 0.5, dataset = "d" }))
        {
            var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
            Assert.Contains("'count' is required", problem.GetProperty("errors").EnumerateArray().Select(e => e.GetString()));
        }

        using (var response = await gateway.PostAsync("/api/models/absent/quality", new { metric = "triage-v1", score = 0.5, count = 10, dataset = "d" }))
        {
            await AssertProblemAsync(response, HttpStatusCode.NotFound);
        }

        using (var response = await gateway.Http.GetAsync(new Uri("/api/models/absent/quality", UriKind.Relative), Ct))
        {
            await AssertProblemAsync(response, HttpStatusCode.NotFound);
        }

        using (var response = await gateway.Http.GetAsync(new Uri("/api/models/small/quality?limit=0", UriKind.Relative), Ct))
        {
            await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        }

        using var anonymous = gateway.Client(null);
        using (var response = await anonymous.PostAsync(new Uri("/api/models/small/quality", UriKind.Relative), System.Net.Http.Json.JsonContent.Create(new { metric = "triage-v1", score = 0.5, count = 10, dataset = "d" }), Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using var other = gateway.Client("not-the-key");
        using (var response = await other.GetAsync(new Uri("/api/models/small/quality", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        var quality = await gateway.GetJsonAsync("/api/models/small/quality");
        Assert.Equal(0, quality.GetProperty("history").GetArrayLength());
    }

    private static async Task RecordAsync(GatewayHarness gateway, string model, double score)
    {
        using var response = await gateway.PostAsync($"/api/models/{model}/quality", new { metric = "triage-v1", score, count = 200, dataset = "eval/triage.jsonl" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(score, (await JsonAsync(response)).GetProperty("score").GetDouble());
    }

    private static async Task<(string Model, string Selection)> AskAsync(GatewayHarness gateway)
    {
        using var response = await gateway.PostAsync("/v1/chat/completions", new { model = "triage", messages = new[] { new { role = "user", content = "Once upon" } }, max_tokens = 4, temperature = 0 });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (Header(response, "X-Yard-Model"), Header(response, "X-Yard-Selection"));
    }
}
