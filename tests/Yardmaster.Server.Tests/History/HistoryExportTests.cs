using System.Text.Json;
using Yardmaster.Server.Tests.Gateway;

namespace Yardmaster.Server.Tests.History;

/// <summary><c>yard history export</c> on a store filled by real requests, read with the server stopped: the request log as a trace.</summary>
public sealed class HistoryExportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Export_Csv_AzureColumnsFirstOneRowPerRequestWithItsId()
    {
        using var data = new TempDirectory();
        await using (var gateway = await GatewayHarness.StartAsync(HistoryWorkload.Config, data.Path))
        {
            foreach (var (id, tokens) in new[] { ("trace-a", 5), ("trace-b", 9) })
            {
                using var response = await gateway.PostAsync("/v1/completions", new { model = "chat", prompt = "Once upon a time", max_tokens = tokens, ignore_eos = true }, ("X-Request-Id", id));
                Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
            }
        }

        var (code, stdout, stderr) = await YardProcess.RunAsync(["history", "export", "--data", data.Path, "--since", "1h"]);

        Assert.True(code == 0, stderr);
        var lines = stdout.TrimEnd('\n').Split('\n');
        Assert.Equal("TIMESTAMP,ContextTokens,GeneratedTokens,task,model,priority,queue_ms,ttft_ms,latency_ms,outcome,reason,request_id", lines[0]);
        Assert.Equal(3, lines.Length);
        var a = lines[1].Split(',');
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{7}$", a[0]);
        Assert.Equal(("5", "chat", "tiny", "high", "completed", "", "trace-a"), (a[2], a[3], a[4], a[5], a[9], a[10], a[11]));
        Assert.True(int.Parse(a[1], System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal(("9", "trace-b"), (lines[2].Split(',')[2], lines[2].Split(',')[11]));
        Assert.Contains("2 request(s) from ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_Jsonl_MooncakeFieldsFirst()
    {
        using var data = new TempDirectory();
        await using (var gateway = await GatewayHarness.StartAsync(HistoryWorkload.Config, data.Path))
        {
            await HistoryWorkload.CompleteAsync(gateway, "chat", 4);
            await HistoryWorkload.CompleteAsync(gateway, "chat", 6);
        }

        var file = Path.Combine(data.Path, "trace.jsonl");
        var (code, _, stderr) = await YardProcess.RunAsync(["history", "export", "--data", data.Path, "--format", "jsonl", "--out", file]);

        Assert.True(code == 0, stderr);
        var rows = (await File.ReadAllLinesAsync(file, Ct)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal(["timestamp", "input_length", "output_length"], rows[0].EnumerateObject().Take(3).Select(p => p.Name));
        Assert.Equal(0, rows[0].GetProperty("timestamp").GetInt64());
        Assert.True(rows[1].GetProperty("timestamp").GetInt64() >= 0);
        Assert.Equal([4, 6], rows.Select(r => r.GetProperty("output_length").GetInt32()));
    }

    [Fact]
    public async Task Export_NoStore_Exit2NamingWhere()
    {
        using var data = new TempDirectory();
        var (code, stdout, stderr) = await YardProcess.RunAsync(["history", "export", "--data", data.Path]);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains($"no store at {Path.Combine(data.Path, "yard.db")}", stderr, StringComparison.Ordinal);
    }
}
