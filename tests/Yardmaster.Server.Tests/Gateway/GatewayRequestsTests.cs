using System.Net;
using System.Text.Json;

namespace Yardmaster.Server.Tests.Gateway;

/// <summary><c>/api/requests</c> and the decision traces at <c>/api/requests/{id}</c>, through a real gateway with builtin models.</summary>
public sealed class GatewayRequestsTests
{
    private const string OneSlot = """
        server: { port: 0 }
        scheduler: { max_queue: 1 }
        models:
          # preempt: false, so that the chat request queues behind the batch one rather than taking its slot (GatewayPreemptionTests)
          - { name: one-slot, path: stories260K.gguf, slots: 1, context: 2048, replicas: { min: 0, max: 1 }, preempt: false }
        tasks:
          - { name: nightly-summaries, priority: batch, models: [one-slot] }
          - { name: chat, priority: normal, models: [one-slot] }
        """;

    // Room for one model of two: the second waits for the first's memory.
    private const string TwoModels = """
        server: { port: 0 }
        devices:
          cpu: { memory: 150MiB }
        models:
          - { name: model-a, path: stories260K.gguf, memory: 100MiB, slots: 1, context: 2048 }
          - { name: model-b, path: stories260K.gguf, memory: 100MiB, slots: 1, context: 2048 }
        tasks:
          - { name: nightly-summaries, priority: batch, models: [model-a] }
          - { name: chat, priority: normal, models: [model-b] }
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Requests_LongStreamHoldsTheOnlySlot_ListsTheQueuedRequestWithTaskClassModelAndWait()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(OneSlot, data.Path);
        using var blocker = await Hold(gateway, "nightly-summaries", "blocker");
        var waiting = Send(gateway, "chat", "waiting");

        var list = await Poll(gateway, "/api/requests", l => l.GetProperty("queued").GetInt32() == 1, "the second request queueing");
        Assert.Equal(1, list.GetProperty("running").GetInt32());
        var running = Entry(list, "blocker");
        Assert.Equal(("nightly-summaries", "batch", "one-slot", "running"), (Str(running, "task"), Str(running, "class"), Str(running, "model"), Str(running, "state")));
        Assert.Equal(0, running.GetProperty("replica").GetProperty("number").GetInt32());
        Assert.Equal("cpu", running.GetProperty("replica").GetProperty("device").GetString());
        var queued = Entry(list, "waiting");
        Assert.Equal(("chat", "normal", "one-slot", "queued"), (Str(queued, "task"), Str(queued, "class"), Str(queued, "model"), Str(queued, "state")));
        Assert.Equal(JsonValueKind.Null, queued.GetProperty("replica").ValueKind);
        Assert.Equal(1, queued.GetProperty("position").GetInt32());
        Assert.True(queued.GetProperty("waited_ms").GetDouble() >= 0);
        Assert.True(DateTimeOffset.TryParse(Str(queued, "arrival"), System.Globalization.CultureInfo.InvariantCulture, out _));

        blocker.Dispose();
        Assert.Equal(HttpStatusCode.OK, await waiting);
        var trace = await gateway.GetJsonAsync("/api/requests/waiting");
        Assert.Equal("completed", Str(trace, "outcome"));
        Assert.Equal("one-slot", Str(trace, "model"));
        Assert.Equal(1, trace.GetProperty("queue")[0].GetProperty("position").GetInt32());
        Assert.Contains("chose one-slot (only candidate)", Str(trace, "summary"), StringComparison.Ordinal);
        Assert.Equal(0, (await gateway.GetJsonAsync("/api/requests")).GetProperty("requests").GetArrayLength());
    }

    [Fact]
    public async Task Trace_ColdModelThenEvictionWhileBusy_NamesTheLoadTheEvictedModelAndTheHolder()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(TwoModels, data.Path);
        using var blocker = await Hold(gateway, "nightly-summaries", "night-1");
        var cold = await gateway.GetJsonAsync("/api/requests/night-1");
        Assert.Equal("model-a", Str(cold, "model"));
        Assert.Equal("model-a", cold.GetProperty("load").GetProperty("model").GetString());
        Assert.True(cold.GetProperty("load").GetProperty("cold").GetBoolean());
        Assert.Contains("for load of model-a", Str(cold, "summary"), StringComparison.Ordinal);

        var chat = Send(gateway, "chat", "chat-1");
        var waiting = await Poll(gateway, "/api/requests/chat-1", t => t.GetProperty("memory_waits").GetArrayLength() > 0, "the chat request waiting for memory");
        Assert.Equal("memory held by model `model-a`, busy with task `nightly-summaries` (batch)", waiting.GetProperty("memory_waits")[0].GetProperty("words").GetString());

        blocker.Dispose(); // model-a goes idle, is evicted, and model-b loads in its place
        Assert.Equal(HttpStatusCode.OK, await chat);
        var trace = await gateway.GetJsonAsync("/api/requests/chat-1");
        Assert.Equal(("completed", "model-b"), (Str(trace, "outcome"), Str(trace, "model")));
        var load = trace.GetProperty("load");
        Assert.Equal("model-b", load.GetProperty("model").GetString());
        Assert.Equal("model-a", load.GetProperty("evicted")[0].GetProperty("model").GetString());
        Assert.Contains("after evicting model-a", Str(trace, "summary"), StringComparison.Ordinal);
        Assert.Contains("busy with task `nightly-summaries` (batch)", Str(trace, "summary"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trace_QueueFull_RefusalGivesTheReasonInWords()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(OneSlot, data.Path);
        using var blocker = await Hold(gateway, "nightly-summaries", "blocker");
        var queued = Send(gateway, "nightly-summaries", "queued");
        await Poll(gateway, "/api/requests", l => l.GetProperty("queued").GetInt32() == 1, "one request queueing");

        using var refused = await gateway.PostAsync("/v1/completions", new { model = "nightly-summaries", prompt = "Once", max_tokens = 4 }, ("X-Request-Id", "refused-1"));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var trace = await gateway.GetJsonAsync("/api/requests/refused-1");
        Assert.Equal("refused", Str(trace, "outcome"));
        var refusal = trace.GetProperty("refusal");
        Assert.Equal("queue_full", refusal.GetProperty("code").GetString());
        var words = refusal.GetProperty("message").GetString()!;
        Assert.Contains("1 of 1 slots busy with task `nightly-summaries` (batch)", words, StringComparison.Ordinal);
        Assert.Contains("raise scheduler.max_queue", words, StringComparison.Ordinal);
        Assert.Contains(words, await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Contains("refused (queue_full)", Str(trace, "summary"), StringComparison.Ordinal);
        blocker.Dispose();
        Assert.Equal(HttpStatusCode.OK, await queued);
    }

    [Fact]
    public async Task Trace_UnknownId_404NamingIt()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(OneSlot, data.Path);
        using var response = await gateway.Http.GetAsync("/api/requests/no-such-request", Ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("request 'no-such-request' not found", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/requests", null)]
    [InlineData("/api/requests", "wrong")]
    [InlineData("/api/requests/some-id", null)]
    public async Task Requests_MissingOrWrongAdminKey_401(string path, string? key)
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(OneSlot, data.Path);
        using var http = gateway.Client(key);
        using var response = await http.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("requests", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    /// <summary>Starts a long streamed answer that holds a slot until disposed (the client leaving ends it).</summary>
    private static async Task<HttpResponseMessage> Hold(GatewayHarness gateway, string task, string id)
    {
        var response = await gateway.PostAsync("/v1/completions", new { model = task, prompt = "Once", max_tokens = 1900, ignore_eos = true, stream = true }, ("X-Request-Id", id));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response;
    }

    private static async Task<HttpStatusCode> Send(GatewayHarness gateway, string task, string id)
    {
        using var response = await gateway.PostAsync("/v1/completions", new { model = task, prompt = "Once upon a time", max_tokens = 4 }, ("X-Request-Id", id));
        await response.Content.ReadAsStringAsync(Ct);
        return response.StatusCode;
    }

    private static async Task<JsonElement> Poll(GatewayHarness gateway, string path, Func<JsonElement, bool> condition, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            // A request sent a moment ago may not have reached the scheduler yet: 404 until it has.
            using var response = await gateway.Http.GetAsync(path, Ct);
            var text = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotFound, $"GET {path}: {(int)response.StatusCode} {text}");
            if (response.IsSuccessStatusCode && JsonDocument.Parse(text).RootElement is var json && condition(json))
            {
                return json;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"{what} did not happen within 20 s; {path}: {(int)response.StatusCode} {text}");
            await Task.Delay(50, Ct);
        }
    }

    private static JsonElement Entry(JsonElement list, string id) =>
        list.GetProperty("requests").EnumerateArray().Single(r => r.GetProperty("id").GetString() == id);

    private static string? Str(JsonElement e, string name) => e.GetProperty(name).GetString();
}
