using System.Net;
using System.Text.Json;

namespace Yardmaster.Server.Tests.Gateway;

/// <summary>Admission judges a request by its own length once the model's finished requests taught it its token rates.</summary>
public sealed class GatewayAdmissionTests
{
    private const int Taught = 10;

    private const string Config = """
        server: { port: 0 }
        models:
          - name: one-slot
            path: stories260K.gguf
            slots: 1
            context: 8192
            replicas: { min: 0, max: 1 }
        tasks:
          - { name: summarize, priority: normal, models: [one-slot] }
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Admit_RatesLearned_LongRequestRefusedAtOnceWhileAShortOneIsServed()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config, data.Path);

        // Answers of 40 to 400 tokens teach the model its decode rate (the mean of their times is far below 300 ms).
        for (var i = 1; i <= Taught; i++)
        {
            using var taught = await SendAsync(gateway, 40 * i);
            Assert.Equal(HttpStatusCode.OK, taught.StatusCode);
        }

        await gateway.WaitForStatsAsync(s => Completed(s) == Taught, "the taught requests recorded (after their release)");

        // The same deadline: 8,000 tokens cannot be decoded in 200 ms by this model (it would take 40,000 tokens/s; the
        // taught rate is a few thousand, lower under load); 8 can. (With 1,900 tokens in 300 ms, a fast moment while it
        // learned let a long request in once: CI of 2026-12-05 15:21.)
        using var refused = await SendAsync(gateway, 8000, deadlineMs: 200);
        var body = await refused.Content.ReadAsStringAsync(Ct);
        Assert.True(refused.StatusCode == HttpStatusCode.ServiceUnavailable, body);
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        Assert.Equal("deadline_unmeetable", error.GetProperty("code").GetString());
        Assert.Contains("max_tokens 8000", error.GetProperty("message").GetString(), StringComparison.Ordinal);

        using var served = await SendAsync(gateway, 8, deadlineMs: 200);
        Assert.True(served.StatusCode == HttpStatusCode.OK, await served.Content.ReadAsStringAsync(Ct));
        var stats = await gateway.AssertSettledAsync();
        var task = stats.GetProperty("tasks").GetProperty("summarize").GetProperty("outcomes");
        Assert.Equal(Taught + 1, task.GetProperty("completed").GetInt32());
    }

    private static int Completed(JsonElement stats) =>
        stats.GetProperty("tasks").TryGetProperty("summarize", out var t) && t.GetProperty("outcomes").TryGetProperty("completed", out var c) ? c.GetInt32() : 0;

    private static Task<HttpResponseMessage> SendAsync(GatewayHarness gateway, int maxTokens, int? deadlineMs = null) =>
        gateway.PostAsync(
            "/v1/completions",
            new { model = "summarize", prompt = "Once upon a time", max_tokens = maxTokens, ignore_eos = true },
            deadlineMs is { } ms ? [("X-Yard-Deadline-Ms", ms.ToString(System.Globalization.CultureInfo.InvariantCulture))] : []);
}
