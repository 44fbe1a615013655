using System.Diagnostics;
using System.Net;
using System.Text.Json;
using static Yardmaster.Server.Tests.Gateway.GatewayResponses;

namespace Yardmaster.Server.Tests.Gateway;

/// <summary>A child model server that dies mid-stream: the client gets an error event, the replica restarts, the next request succeeds.</summary>
public sealed class GatewayProcessCrashTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ChildKilledMidStream_ErrorEventThenRestartAndNextRequestSucceeds()
    {
        using var data = new TempDirectory();
        // A copy of the model under this test's folder, so its path tells this test's child from any other.
        var modelPath = data.File("crash-stories.gguf");
        File.Copy(SharedModels.Stories260K, modelPath);
        await using var gateway = await GatewayHarness.StartAsync($$"""
            server: { port: 0 }
            models:
              - name: child
                backend: process
                command: "yard model-server --model {path} --port {port} --slots {slots} --ctx {context}"
                path: {{modelPath}}
                slots: 1
                context: 2048
                replicas: { min: 1, max: 1 }
                stop_grace: 1s
            """, data.Path);

        using var response = await gateway.PostAsync("/v1/completions", new { model = "child", prompt = "Once", max_tokens = 2000, ignore_eos = true, stream = true });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
        Assert.StartsWith("data: {", await reader.ReadLineAsync(Ct), StringComparison.Ordinal);
        var pid = ChildOf(modelPath);
        using (var child = Process.GetProcessById(pid))
        {
            child.Kill();
            await child.WaitForExitAsync(Ct);
        }

        var events = new List<string>();
        while (await reader.ReadLineAsync(Ct) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                events.Add(line["data: ".Length..]);
            }
        }

        Assert.Equal("[DONE]", events[^1]);
        var error = JsonDocument.Parse(events[^2]).RootElement.GetProperty("error");
        Assert.Equal("server_error", error.GetProperty("type").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));

        // replicas.min brings it back after the restart backoff.
        await gateway.WaitForStatsAsync(
            s => s.GetProperty("models").GetProperty("child").TryGetProperty("loads", out var l) && l.GetInt32() == 2
                && s.GetProperty("models").GetProperty("child").GetProperty("status").GetProperty("replicas").EnumerateArray().Any(r => r.GetProperty("state").GetString() == "ready"),
            "the replica restarting",
            TimeSpan.FromSeconds(30));
        Assert.NotEqual(pid, ChildOf(modelPath));

        using var next = await gateway.PostAsync("/v1/completions", new { model = "child", prompt = "Once", max_tokens = 4 });
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(4, (await JsonAsync(next)).GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        var stats = await gateway.AssertSettledAsync();
        var outcomes = stats.GetProperty("tasks").GetProperty("child").GetProperty("outcomes");
        Assert.Equal(1, outcomes.GetProperty("failed").GetInt32());
        Assert.Equal(1, outcomes.GetProperty("completed").GetInt32());
    }

    /// <summary>The live child of this process whose command line names <paramref name="modelPath"/>.</summary>
    private static int ChildOf(string modelPath)
    {
        var children = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (fields[0] != "Z" && int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) == Environment.ProcessId && cmdline.Contains(modelPath, StringComparison.Ordinal))
                {
                    children.Add(pid);
                }
            }
            catch (IOException)
            {
                // exited while we looked
            }
        }

        return Assert.Single(children);
    }
}
