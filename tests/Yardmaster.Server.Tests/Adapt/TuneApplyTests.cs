using System.Globalization;
using System.Text;
using Yardmaster.Server.Tests.Gateway;

namespace Yardmaster.Server.Tests.Adapt;

/// <summary>
/// <c>yard tune --apply</c> with a change to a model rather than to the scheduler: bursts farther apart than the model's
/// keep-alive, whose load takes 30 s against a 10 s SLO. The search keeps the model warm, and <c>--apply</c> changes the
/// running server's model through <c>/api/models</c>.
/// </summary>
public sealed class TuneApplyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Config(string model) => $$"""
        server: { port: 0 }
        models:
          - name: m
            path: {{model}}
            slots: 4
            context: 128
            memory: 64MiB
            replicas: { min: 0, max: 1 }
            keep_alive: 1m
            simulation: { prefill_tokens_per_second: 4000, decode_tokens_per_second: 100, load_time: 30s }
        tasks:
          - { name: chat, priority: high, slo: { latency: 10s }, models: [m] }
          - { name: search, priority: normal, slo: { latency: 10s }, models: [m] }
          - { name: batch, priority: batch, slo: { latency: 10s }, models: [m] }
        """;

    [Fact]
    public async Task TuneApply_BurstsFartherApartThanKeepAlive_ServersModelKeptWarm()
    {
        // The server's model and tasks were created through the API (stored), as the config file yard tune simulates has them.
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync("server: { port: 0, model_dirs: [.] }", data.Path); // the fixtures' models folder
        using (var created = await gateway.PostAsync("/api/models", new { name = "m", path = SharedModels.Stories260K, slots = 4, context = 128, memory = "64MiB", replicas = new { min = 0, max = 1 }, keep_alive = "1m" }))
        {
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync(Ct));
        }

        foreach (var (task, priority) in new[] { ("chat", "high"), ("search", "normal"), ("batch", "batch") })
        {
            using var created = await gateway.PostAsync("/api/tasks", new { name = task, priority, slo = new { latency = "10s" }, models = new[] { "m" } });
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync(Ct));
        }

        var (file, bursts) = await WriteConfigAndTraceAsync(data.Path);

        var (code, stdout, stderr) = await YardProcess.RunAsync(
            ["tune", "--trace", bursts, "--format", "azure-llm", "--config", file, "--objective", "slo", "--seeds", "1", "--budget", "60s", "--apply", "--data", data.Path, "--server", gateway.Url.ToString()]);

        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("\n models:\n-  - { name: m, keep_alive: 1m, replicas: { min: 0, max: 1 } }\n+  - { name: m, ", stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("--apply: model 'm' keep_alive 1m, replicas 0..1 -> ", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("scheduler settings in force", stdout, StringComparison.Ordinal); // only the model changed
        var model = await gateway.GetJsonAsync("/api/models/m");
        var keepAlive = model.GetProperty("keep_alive").ToString();
        var min = model.GetProperty("replicas").GetProperty("min").GetInt32();
        Assert.True(min > 0 || keepAlive != "1m", $"the server's model m: keep_alive {keepAlive}, replicas.min {min}");
    }

    [Fact]
    public async Task TuneApply_ModelDeclaredInTheServersConfig_NotSentAndTheLineToSetSaid()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config("stories260K.gguf"), data.Path);
        var (file, bursts) = await WriteConfigAndTraceAsync(data.Path);

        var (code, stdout, stderr) = await YardProcess.RunAsync(
            ["tune", "--trace", bursts, "--format", "azure-llm", "--config", file, "--objective", "slo", "--seeds", "1", "--budget", "60s", "--apply", "--data", data.Path, "--server", gateway.Url.ToString()]);

        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("--apply: not sent: model 'm' keep_alive 1m, replicas 0..1 -> ", stdout, StringComparison.Ordinal);
        Assert.Contains("it is declared in the server's yard.yaml, so set it there:\n  - { name: m, ", stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        var model = await gateway.GetJsonAsync("/api/models/m");
        Assert.Equal(("1m", 0), (model.GetProperty("keep_alive").ToString(), model.GetProperty("replicas").GetProperty("min").GetInt32()));
    }

    /// <summary>The yard.yaml yard tune simulates, and 10 bursts of 20 requests 3 minutes apart (azure-llm rows: time, prompt tokens, output tokens).</summary>
    private static async Task<(string Config, string Trace)> WriteConfigAndTraceAsync(string folder)
    {
        var file = Path.Combine(folder, "yard.yaml");
        await File.WriteAllTextAsync(file, Config(SharedModels.Stories260K), Ct);
        var trace = new StringBuilder("TIMESTAMP,ContextTokens,GeneratedTokens\n");
        for (var i = 0; i < 200; i++)
        {
            var at = new DateTime(2023, 11, 16, 18, 0, 0, DateTimeKind.Utc) + TimeSpan.FromMinutes(3 * (i / 20)) + TimeSpan.FromMilliseconds(100 * (i % 20));
            trace.Append(at.ToString("yyyy-MM-dd HH:mm:ss.fffffff", CultureInfo.InvariantCulture)).Append(",100,20\n");
        }

        var bursts = Path.Combine(folder, "bursts.csv");
        await File.WriteAllTextAsync(bursts, trace.ToString(), Ct);
        return (file, bursts);
    }
}
