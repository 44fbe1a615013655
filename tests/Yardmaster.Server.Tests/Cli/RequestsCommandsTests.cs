using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Yardmaster.Server.Tests.Cli;

/// <summary><c>yard ps</c>, <c>yard top --once</c> and <c>yard serve -v</c>'s scheduler events, against a real <c>yard serve</c> child process whose one slot a streaming request holds until the test lets it go.</summary>
public sealed class RequestsCommandsTests(RequestsServeFixture server) : IClassFixture<RequestsServeFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PsAndTop_LongStreamHoldsTheOnlySlot_ShowTheRunningAndTheQueuedRequest()
    {
        using var http = server.Client();
        using var blocker = await SendAsync(http, "nightly-summaries", "cli-blocker", stream: true);
        Assert.Equal(HttpStatusCode.OK, blocker.StatusCode);
        var waiting = SendAsync(http, "chat", "cli-waiting", stream: false);
        await UntilAsync(http, "/api/requests", l => l.GetProperty("queued").GetInt32() == 1);

        // All at once: the blocker's answer lasts seconds, each CLI process takes one or two to start.
        var ps = server.RunAsync("ps");
        var psJson = server.RunAsync("ps", "-o", "json");
        var topOnce = server.RunAsync("top", "--once");
        var (code, stdout, stderr) = await ps;
        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["ID", "TASK", "CLASS", "MODEL", "STATE", "WAITED", "PREDICTED", "START", "REPLICA"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var running = Words(lines, "cli-blocker");
        Assert.Equal(["cli-blocker", "nightly-summaries", "batch", "one-slot", "running"], running[..5]);
        Assert.Equal(["0", "(cpu)"], running[^2..]);
        var queued = Words(lines, "cli-waiting");
        Assert.Equal(["cli-waiting", "chat", "normal", "one-slot", "queued"], queued[..5]);
        Assert.Equal("ms", queued[6]);
        Assert.Equal("-", queued[^1]);

        var (jsonCode, json, _) = await psJson;
        Assert.Equal(0, jsonCode);
        using (var document = JsonDocument.Parse(json))
        {
            Assert.Equal((1, 1), (document.RootElement.GetProperty("queued").GetInt32(), document.RootElement.GetProperty("running").GetInt32()));
        }

        var (topCode, top, topErr) = await topOnce;
        Assert.True(topCode == 0, topErr);
        var topLines = top.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith($"yard top: {server.Url.TrimEnd('/')}", topLines[0], StringComparison.Ordinal);
        Assert.True(topLines[0].Contains("requests 1 queued, 1 running", StringComparison.Ordinal), $"yard top printed:\n{top}");
        Assert.Equal(["TASK", "RATE/S", "QUEUE", "P50", "MS", "P95", "MS", "SLO"], Words(topLines, "TASK"));
        Assert.Equal(["chat", "0", "1"], Words(topLines, "chat")[..3]);
        Assert.Equal(["nightly-summaries", "0", "0"], Words(topLines, "nightly-summaries")[..3]);
        Assert.Equal(["one-slot", "0", "ready"], Words(topLines, "one-slot")[..3]);
        Assert.Equal("1/1", Words(topLines, "one-slot")[^1]);
        Assert.Equal("cpu", Words(topLines, "cpu")[0]);
        Assert.Contains("no running steps", top, StringComparison.Ordinal);
        Assert.Equal("running", Words(topLines, "cli-blocker")[4]);
        Assert.Equal("queued", Words(topLines, "cli-waiting")[4]);

        blocker.Dispose();
        using (var done = await waiting)
        {
            Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        }
    }

    [Fact]
    public async Task ServeVerbose_RequestsServedAndRefused_LogsSchedulerEventsNotEveryRequest()
    {
        using var http = server.Client();
        using var blocker = await SendAsync(http, "nightly-summaries", "log-blocker", stream: true);
        var queued = SendAsync(http, "chat", "log-queued", stream: false);
        await UntilAsync(http, "/api/requests", l => l.GetProperty("queued").GetInt32() == 1);
        using (var refused = await SendAsync(http, "chat", "log-refused", stream: false))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        }

        blocker.Dispose();
        (await queued).Dispose();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!server.ServeOutput.Contains("log-refused", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, Ct);
        }

        var log = server.ServeOutput;
        Assert.Contains("Request log-refused of task chat refused (queue_full)", log, StringComparison.Ordinal);
        Assert.Contains("Model one-slot replica 0 loading on cpu", log, StringComparison.Ordinal);
        Assert.Contains("Model one-slot replica 0 ready in", log, StringComparison.Ordinal);
        Assert.DoesNotContain("Request starting", log, StringComparison.Ordinal);
        Assert.DoesNotContain("Request finished", log, StringComparison.Ordinal);
        Assert.DoesNotContain("Executing endpoint", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ps_NoAdminKeyFound_RefusedWithAHint()
    {
        using var empty = new TempDirectory();
        var (code, _, stderr) = await YardProcess.RunAsync(["ps", "--server", server.Url, "--data", empty.Path], YardServeFixture.Environment(empty.Path));
        Assert.Equal(1, code);
        Assert.Contains("GET api/requests", stderr, StringComparison.Ordinal);
        Assert.Contains("no key was sent", stderr, StringComparison.Ordinal);
    }

    private static string[] Words(string[] lines, string first) =>
        lines.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).First(w => w.Length > 0 && w[0] == first);

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, string task, string id, bool stream)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = JsonContent.Create(new { model = task, prompt = "Once", max_tokens = stream ? 1900 : 4, ignore_eos = true, stream }),
        };
        request.Headers.Add("X-Request-Id", id);
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
    }

    private static async Task UntilAsync(HttpClient http, string path, Func<JsonElement, bool> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var text = await http.GetStringAsync(path, Ct);
            using var document = JsonDocument.Parse(text);
            if (condition(document.RootElement))
            {
                return;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"{path} did not reach the state in 30 s: {text}");
            await Task.Delay(50, Ct);
        }
    }
}
