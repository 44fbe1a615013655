using System.Globalization;
using System.Text.Json;

namespace Yardmaster.Server.Tests.Cli;

/// <summary><c>yard bench replay</c> against a real <c>yard serve</c> child process with the builtin runtime.</summary>
public sealed class BenchReplayTests(ReplayServeFixture server) : IClassFixture<ReplayServeFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Replay_TwentyRequestsNamingTheirTasks_SummaryCountsOutcomesRefusalsAndAttainment()
    {
        using var dir = new TempDirectory();
        var trace = dir.File("trace.jsonl");
        var lines = Enumerable.Range(0, 20).Select(i =>
            $$"""{"timestamp":{{i * 100}},"input_length":{{6 + (i % 5)}},"output_length":{{3 + (i % 4)}},"task":"{{(i % 5 == 4 ? "limited" : "chat")}}","model":null,"priority":null}""").ToList();
        lines.Insert(3, """{"timestamp":250,"input_length":"many","output_length":3}""");
        await File.WriteAllLinesAsync(trace, lines, Ct);
        var output = dir.File("out");

        var (code, stdout, stderr) = await server.ReplayAsync("--trace", trace, "--format", "yard", "--speed", "20", "--key", ReplayServeFixture.AdminKey, "--out", output);

        Assert.True(code == 0, stderr);
        Assert.Contains($"warning: {trace}:4: 'input_length' must be a whole number ≥ 0, got \"many\" (skipped)", stderr, StringComparison.Ordinal);
        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "summary.json"), Ct));
        var run = summary.RootElement.GetProperty("runs")[0];
        var tasks = run.GetProperty("tasks").EnumerateArray().ToDictionary(t => t.GetProperty("task").GetString()!);
        Assert.Equal(["chat", "limited"], tasks.Keys);
        var chat = tasks["chat"];
        Assert.Equal((16, 16, 0), (chat.GetProperty("requests").GetInt32(), chat.GetProperty("completed").GetInt32(), chat.GetProperty("refused").GetInt32()));
        Assert.Equal(60000, chat.GetProperty("slo").GetProperty("latency_ms").GetDouble());
        Assert.Equal(1.0, chat.GetProperty("slo_attainment").GetDouble());
        Assert.True(chat.GetProperty("goodput_per_s").GetDouble() > 0);
        Assert.True(chat.GetProperty("ttft_ms").GetProperty("p50").GetDouble() > 0);
        Assert.True(chat.GetProperty("latency_ms").GetProperty("p99").GetDouble() >= chat.GetProperty("ttft_ms").GetProperty("p50").GetDouble());
        var limited = tasks["limited"];
        Assert.Equal((4, 1, 3), (limited.GetProperty("requests").GetInt32(), limited.GetProperty("completed").GetInt32(), limited.GetProperty("refused").GetInt32()));
        Assert.Equal(3, limited.GetProperty("refusals_by_status").GetProperty("429").GetInt32());
        Assert.Equal(3, limited.GetProperty("refusals_by_reason").GetProperty("rate_limit").GetInt32());
        Assert.Equal(0.25, limited.GetProperty("slo_attainment").GetDouble());
        var all = run.GetProperty("all");
        Assert.Equal((20, 17, 3), (all.GetProperty("requests").GetInt32(), all.GetProperty("completed").GetInt32(), all.GetProperty("refused").GetInt32()));
        Assert.Equal(0.85, all.GetProperty("slo_attainment").GetDouble());

        var csv = await File.ReadAllLinesAsync(Path.Combine(output, "requests.csv"), Ct);
        Assert.Equal("line,task,due_ms,sent_ms,prompt_tokens,max_tokens,outcome,status,reason,ttft_ms,latency_ms,served_prompt_tokens,served_output_tokens", csv[0]);
        Assert.Equal(21, csv.Length);
        var rows = csv.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(17, rows.Count(r => r[6] == "completed" && r[7] == "200" && double.Parse(r[9], CultureInfo.InvariantCulture) > 0));
        Assert.Equal(3, rows.Count(r => r[1] == "limited" && r[6] == "refused" && r[7] == "429" && r[8] == "rate_limit"));
        Assert.All(rows.Where(r => r[6] == "completed"), r => Assert.Equal(r[5], r[12])); // max_tokens generated: ignore_eos
        Assert.Contains("| chat | 16 | 16 | 0 | 0 | 0 | 0 | latency 1m | 100.0% |", stdout, StringComparison.Ordinal);
        Assert.Contains("429: 3 (rate_limit 3)", stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(output, "summary.md")));
    }

    [Fact]
    public async Task Replay_ApiKeyOnly_RequestsServedAndNoAttainmentSayingWhy()
    {
        using var dir = new TempDirectory();
        var trace = dir.File("azure.csv");
        await File.WriteAllLinesAsync(trace, ["TIMESTAMP,ContextTokens,GeneratedTokens", "2023-11-16 18:15:46.6805900,12,4", "2023-11-16 18:15:46.7805900,9,2"], Ct);
        var output = dir.File("out");

        var (code, _, stderr) = await server.ReplayAsync("--trace", trace, "--format", "azure-llm", "--task", "chat", "--key", ReplayServeFixture.ApiKey, "--speed", "100", "--out", output);

        Assert.True(code == 0, stderr);
        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "summary.json"), Ct));
        var chat = summary.RootElement.GetProperty("runs")[0].GetProperty("tasks")[0];
        Assert.Equal(("chat", 2, 2), (chat.GetProperty("task").GetString(), chat.GetProperty("requests").GetInt32(), chat.GetProperty("completed").GetInt32()));
        Assert.Equal(JsonValueKind.Null, chat.GetProperty("slo_attainment").ValueKind);
        Assert.Contains("SLO attainment: none (GET /api/tasks answered 403 (it needs an admin key)).", summary.RootElement.GetProperty("notes").EnumerateArray().Select(n => n.GetString()));
    }

    [Fact]
    public async Task Replay_BadInput_Exit2NamingWhatIsWrong()
    {
        using var dir = new TempDirectory();
        var trace = dir.File("t.csv");
        await File.WriteAllLinesAsync(trace, ["TIMESTAMP,ContextTokens,GeneratedTokens", "2023-11-16 18:15:46,12,4", "2023-11-16 18:15:47,x,4"], Ct);

        var unknown = await server.ReplayAsync("--trace", trace, "--format", "philly");
        var strict = await server.ReplayAsync("--trace", trace, "--format", "azure-llm", "--strict", "--out", dir.File("out"));
        var header = await server.ReplayAsync("--trace", trace, "--format", "alibaba-genai", "--out", dir.File("out"));

        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("error: --format: unknown trace format 'philly'; known: azure-llm, mooncake, alibaba-genai, alibaba-gpu, yard", unknown.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, strict.ExitCode);
        Assert.Contains($"error: {trace}:3: ContextTokens 'x' is not a whole number ≥ 0", strict.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, header.ExitCode);
        Assert.Contains("has no column gmt_create, predict_status, exec_time_seconds, prompt_length, checkpoint_model_version_id", header.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.File("out")));
    }
}
