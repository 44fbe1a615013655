using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Yardmaster.Server.Tests.Gateway;

namespace Yardmaster.Server.Tests.History;

/// <summary>
/// <c>yard report</c> on a store filled by a real workload (completions, a refusal, a pipeline run with a failing step),
/// read by the CLI with the server stopped: its figures agree with <c>/api/stats</c> over the same window.
/// </summary>
public sealed class ReportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Report_StoreOfARealWorkloadServerStopped_FiguresAgreeWithApiStats()
    {
        using var data = new TempDirectory();
        string since, until;
        JsonElement stats;
        await using (var gateway = await GatewayHarness.StartAsync(HistoryWorkload.Config, data.Path))
        {
            for (var i = 0; i < 5; i++)
            {
                await HistoryWorkload.CompleteAsync(gateway, "chat", 4 + (3 * i));
            }

            await HistoryWorkload.CompleteAsync(gateway, "limited", 4);
            using (var refused = await gateway.PostAsync("/v1/completions", new { model = "limited", prompt = "Once", max_tokens = 4 }))
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            }

            await RunPipelineAsync(gateway);
            var now = DateTimeOffset.UtcNow;
            (since, until) = (Iso(now.AddHours(-1)), Iso(now.AddSeconds(1)));
            stats = (await gateway.GetJsonAsync($"/api/stats?since={since}&until={until}")).Clone();
        }

        var file = Path.Combine(data.Path, "report.md");
        var (code, _, stderr) = await YardProcess.RunAsync(["report", "--data", data.Path, "--since", since, "--until", until, "--out", file]);
        Assert.True(code == 0, stderr);
        var report = await File.ReadAllTextAsync(file, Ct);

        foreach (var task in new[] { "chat", "limited" })
        {
            var row = Row(report, "task", task);
            var s = stats.GetProperty("tasks").GetProperty(task);
            Assert.Equal(s.GetProperty("requests").GetInt32(), int.Parse(row["requests"], CultureInfo.InvariantCulture));
            Assert.Equal(s.GetProperty("outcomes").GetProperty("completed").GetInt32(), int.Parse(row["completed"], CultureInfo.InvariantCulture));
            Assert.Equal(s.GetProperty("tokens_out").GetInt32(), int.Parse(row["tokens out"], CultureInfo.InvariantCulture));
            foreach (var (column, p) in new[] { ("latency p50 ms", "p50"), ("latency p95 ms", "p95"), ("latency p99 ms", "p99") })
            {
                Assert.Equal(s.GetProperty("latency_ms").GetProperty(p).GetDouble(), double.Parse(row[column], CultureInfo.InvariantCulture), 0.051);
            }

            Assert.Equal(s.GetProperty("slo_attainment").GetDouble() * 100, double.Parse(row["slo"].TrimEnd('%'), CultureInfo.InvariantCulture), 0.051);
        }

        Assert.Equal(5, int.Parse(Row(report, "task", "chat")["requests"], CultureInfo.InvariantCulture));
        Assert.Equal("1 (rate_limit 1)", Row(report, "task", "limited")["refused"]);
        Assert.Equal("50%", Row(report, "task", "limited")["slo"]);
        Assert.Equal("1", Row(report, "model", "tiny")["loads"]);
        var pipeline = Row(report, "pipeline", "nightly");
        Assert.Equal(("1", "0", "1"), (pipeline["runs"], pipeline["succeeded"], pipeline["failed"]));
        var failing = Row(report, "pipeline / step", "nightly / check");
        Assert.Equal("1", failing["failed attempts"]);
        Assert.Equal(10, report.Split("](data:image/svg+xml;base64,").Length - 1);
    }

    [Fact]
    public async Task Report_Html_SelfContainedWithSvgPlots()
    {
        using var data = new TempDirectory();
        await using (var gateway = await GatewayHarness.StartAsync(HistoryWorkload.Config, data.Path))
        {
            await HistoryWorkload.CompleteAsync(gateway, "chat", 6);
        }

        var file = Path.Combine(data.Path, "report.html");
        var (code, _, stderr) = await YardProcess.RunAsync(["report", "--data", data.Path, "--since", "1h", "--out", file]);
        Assert.True(code == 0, stderr);
        var html = await File.ReadAllTextAsync(file, Ct);

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Equal(10, html.Split("<svg ").Length - 1);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<td>chat</td><td>1</td><td>1</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiReport_RunningServer_RendersWithTheAdminKeyAndRefusesOthers()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(HistoryWorkload.Config, data.Path);
        await HistoryWorkload.CompleteAsync(gateway, "chat", 5);
        await HistoryWorkload.WaitForAsync(gateway, "/api/stats?since=1h", s => HistoryWorkload.Requests(s, "chat") == 1);

        using var md = await gateway.Http.GetAsync("/api/report?since=1h&format=md", Ct);
        var text = await md.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.OK, md.StatusCode);
        Assert.Equal("text/markdown", md.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("# Yardmaster report", text, StringComparison.Ordinal);
        Assert.Equal("1", Row(text, "task", "chat")["requests"]);

        using var anonymous = gateway.Client(null);
        using var refused = await anonymous.GetAsync("/api/report?since=1h", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using var badFormat = await gateway.Http.GetAsync("/api/report?format=pdf", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badFormat.StatusCode);
        Assert.Contains("'format' must be html or md, got 'pdf'", await badFormat.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--since", "last week", "'since' must be a duration")]
    [InlineData("--data", "/nonexistent/yard-data", "no store at /nonexistent/yard-data/yard.db")]
    public async Task Report_BadInput_Exit2NamingIt(string option, string value, string expected)
    {
        using var data = new TempDirectory();
        string[] args = option == "--data" ? ["report", option, value] : ["report", "--data", data.Path, option, value];
        var (code, _, stderr) = await YardProcess.RunAsync(args);
        Assert.Equal(2, code);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    private static async Task RunPipelineAsync(GatewayHarness gateway)
    {
        const string Yaml = "name: nightly\nsteps:\n  - id: fetch\n    run: echo fetched\n  - id: check\n    needs: [fetch]\n    run: exit 3\n";
        using var submitted = await gateway.Http.PostAsJsonAsync("/api/runs", new { yaml = Yaml }, Ct);
        var body = await submitted.Content.ReadAsStringAsync(Ct);
        Assert.True(submitted.IsSuccessStatusCode, body);
        var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var state = (await gateway.GetJsonAsync($"/api/runs/{id}")).GetProperty("state").GetString();
            if (state is "failed" or "succeeded")
            {
                Assert.Equal("failed", state);
                return;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"run {id} still {state}");
            await Task.Delay(50, Ct);
        }
    }

    /// <summary>The row of a Markdown table whose header begins with <paramref name="firstColumn"/> and whose first cell is <paramref name="key"/>, by column.</summary>
    private static Dictionary<string, string> Row(string markdown, string firstColumn, string key)
    {
        var lines = markdown.Split('\n');
        var header = Array.FindIndex(lines, l => l.StartsWith($"| {firstColumn} |", StringComparison.Ordinal));
        Assert.True(header >= 0, $"no table of {firstColumn} in the report:\n{markdown[..Math.Min(3000, markdown.Length)]}");
        var names = Cells(lines[header]);
        var row = lines.Skip(header + 2).TakeWhile(l => l.StartsWith('|')).Select(Cells).FirstOrDefault(c => c[0] == key);
        Assert.True(row is not null, $"no row {key} in the table of {firstColumn}");
        return names.Zip(row).ToDictionary(p => p.First, p => p.Second);
    }

    private static string[] Cells(string line) => [.. line.Trim().Trim('|').Split(" | ").Select(c => c.Trim())];

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
