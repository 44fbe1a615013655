using System.Text.Json;

namespace Yardmaster.Server.Tests.Cli;

public sealed class ManagementCommandsTests(YardServeFixture server) : IClassFixture<YardServeFixture>
{
    [Fact]
    public async Task Tasks_Text_PrintsATableRowPerTask()
    {
        var (code, stdout, _) = await server.RunAsync(["tasks"]);

        Assert.Equal(0, code);
        var rows = Rows(stdout);
        Assert.Equal(["NAME", "PRIORITY", "SLO", "TTFT", "SLO", "LATENCY", "MODELS", "MAX", "CONCURRENCY", "RATE"], rows[0]);
        Assert.Equal(["batch", "batch", "-", "-", "stories260K", "-", "-"], rows[1]);
        Assert.Equal(["chat", "high", "500ms", "10s", "stories260K", "8", "50/s", "(burst", "50)"], rows[2]);
    }

    [Fact]
    public async Task Tasks_Json_PrintsTheServersArray()
    {
        var (code, stdout, _) = await server.RunAsync(["tasks", "--output", "json"]);

        Assert.Equal(0, code);
        var tasks = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(["batch", "chat"], tasks.EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.Equal("500ms", tasks[1].GetProperty("slo").GetProperty("ttft").GetString());
    }

    [Fact]
    public async Task Tasks_ApiKeyWithoutAdminRight_Exits1With403Message()
    {
        var (code, _, stderr) = await server.RunAsync(["tasks"], new Dictionary<string, string> { ["YARD_API_KEY"] = YardServeFixture.ApiKey });
        var (adminCode, _, _) = await server.RunAsync(["tasks"], new Dictionary<string, string>
        {
            ["YARD_API_KEY"] = YardServeFixture.ApiKey,
            ["YARD_ADMIN_KEY"] = YardServeFixture.AdminKey,
        });

        Assert.Equal(1, code);
        Assert.Contains("403 Forbidden: this key may call /v1/* but not the management API", stderr, StringComparison.Ordinal);
        Assert.Equal(0, adminCode);
    }

    [Fact]
    public async Task ModelsUnloadThenLoad_Wait_ModelsShowsUnloadedThenReady()
    {
        var (firstLoadCode, _, firstLoadErr) = await server.RunAsync(["models", "load", "stories260K", "--wait"]);
        var (unloadCode, unloadOut, unloadErr) = await server.RunAsync(["models", "unload", "stories260K", "--wait"]);
        var (_, afterUnload, _) = await server.RunAsync(["models"]);
        var (againCode, againOut, _) = await server.RunAsync(["models", "unload", "stories260K"]);
        var (loadCode, loadOut, loadErr) = await server.RunAsync(["models", "load", "stories260K", "--wait"]);
        var (_, afterLoad, _) = await server.RunAsync(["models"]);
        var (_, json, _) = await server.RunAsync(["models", "--output", "json"]);

        // A chat of another test may have loaded it already: then the first load is refused (replicas.max).
        Assert.True(firstLoadCode == 0 || firstLoadErr.Contains("already has its replicas.max", StringComparison.Ordinal), firstLoadErr);
        Assert.True(unloadCode == 0, unloadErr);
        Assert.Equal("stories260K: unloaded\n", unloadOut);
        Assert.Equal(0, againCode);
        Assert.Equal("stories260K: not loaded; nothing to unload\n", againOut);
        Assert.Equal(["NAME", "BACKEND", "REPLICAS", "MEMORY", "QUEUED", "IN", "FLIGHT"], Rows(afterUnload)[0]);
        Assert.Equal(["stories260K", "builtin", "unloaded"], Rows(afterUnload)[1][..3]);
        Assert.True(loadCode == 0, loadErr);
        Assert.Matches(@"^stories260K: ready, \d+\.\d MiB\n$", loadOut);
        Assert.Equal(["stories260K", "builtin", "ready"], Rows(afterLoad)[1][..3]);
        Assert.Equal(["0", "0"], Rows(afterLoad)[1][^2..]);
        var replica = JsonDocument.Parse(json).RootElement[0].GetProperty("status").GetProperty("replicas")[0];
        Assert.Equal("ready", replica.GetProperty("state").GetString());
    }

    [Fact]
    public async Task ModelsLoad_UnknownModel_Exits1WithTheProblemDetail()
    {
        var (code, stdout, stderr) = await server.RunAsync(["models", "load", "no-such-model"]);

        Assert.Equal(1, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal("error: POST api/models/no-such-model/load: 404 Not Found: model 'no-such-model' not found\n", stderr);
    }

    [Fact]
    public async Task Stats_AfterAChat_CountsTheRequestPerTaskAndModel()
    {
        var (chatCode, _, _) = await server.RunAsync(["chat", "chat", "Hello", "--max-tokens", "8"]);
        var (code, stdout, _) = await server.RunAsync(["stats"]);
        var (jsonCode, json, _) = await server.RunAsync(["stats", "--output", "json"]);

        Assert.Equal(0, chatCode);
        Assert.Equal(0, code);
        Assert.Equal(0, jsonCode);
        var rows = Rows(stdout);
        Assert.Equal("TASK", rows[0][0]);
        var chat = Assert.Single(rows, r => r[0] == "chat");
        Assert.Equal("completed", chat[2]);
        Assert.Contains(rows, r => r[0] == "MODEL" && r.Contains("LOADS") && r.Contains("EVICTIONS"));
        Assert.Contains(rows, r => r[0] == "stories260K" && r.Contains("completed"));
        Assert.Contains("cpu: ", stdout, StringComparison.Ordinal);
        var stats = JsonDocument.Parse(json).RootElement;
        var task = stats.GetProperty("tasks").GetProperty("chat");
        Assert.True(task.GetProperty("requests").GetInt64() >= 1);
        Assert.True(task.GetProperty("outcomes").GetProperty("completed").GetInt64() >= 1);
        Assert.True(task.GetProperty("latency_ms").GetProperty("p95").GetDouble() > 0);
        Assert.True(stats.GetProperty("models").GetProperty("stories260K").GetProperty("loads").GetInt64() >= 1);
    }

    [Fact]
    public async Task StatsSince_AfterAChat_WindowOfTheHistoryWithTheRequest()
    {
        var (chatCode, _, _) = await server.RunAsync(["chat", "chat", "Hello", "--max-tokens", "8"]);
        var (code, stdout, stderr) = await server.RunAsync(["stats", "--since", "1h"]);
        var (jsonCode, json, _) = await server.RunAsync(["stats", "--since", "1h", "--until", "0s", "--output", "json"]);

        Assert.Equal((0, 0, 0), (chatCode, code, jsonCode));
        Assert.Matches(@"^from \d{4}-\d\d-\d\dT[\d:.]+Z to \d{4}-\d\d-\d\dT[\d:.]+Z \(history\)\n", stdout);
        Assert.Contains(Rows(stdout), r => r[0] == "chat" && r[2] == "completed");
        Assert.Equal(string.Empty, stderr);
        var window = JsonDocument.Parse(json).RootElement;
        Assert.True(window.TryGetProperty("since", out _));
        Assert.True(window.GetProperty("tasks").GetProperty("chat").GetProperty("outcomes").GetProperty("completed").GetInt64() >= 1);
    }

    [Theory]
    [InlineData(new[] { "--since", "yesterday" }, "--since: 'since' must be a duration back from now (e.g. 30m, 1h, 7d) or an ISO 8601 time")]
    [InlineData(new[] { "--until", "1h" }, "--until needs --since")]
    public async Task StatsSince_BadWindow_Exit2NamingIt(string[] options, string expected)
    {
        var (code, stdout, stderr) = await server.RunAsync(["stats", .. options]);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    private static List<string[]> Rows(string stdout) =>
        [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))];
}
