using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using OpenAI.Chat;
using static Yardmaster.Server.Tests.Gateway.GatewayResponses;

namespace Yardmaster.Server.Tests.Gateway;

/// <summary>End to end through the gateway for every backend kind: chat and completions, streaming and not, with usage and X-Yard-Model.</summary>
public sealed class GatewayBackendTests
{
    private const int MaxTokens = 8;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Builtin_ChatAndCompletions_ServedWithUsageAndModelHeader()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config("""
            backend: builtin
            path: stories260K.gguf
            """), data.Path);

        await AssertServesEveryShapeAsync(gateway);
    }

    [Fact]
    public async Task Process_ChatAndCompletions_ServedByChildModelServer()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config("""
            backend: process
            command: "yard model-server --model {path} --port {port} --slots {slots}"
            path: stories260K.gguf
            """), data.Path);

        await AssertServesEveryShapeAsync(gateway);
        var replica = (await gateway.GetJsonAsync("/api/models/story-model")).GetProperty("status").GetProperty("replicas")[0];
        Assert.Equal("ready", replica.GetProperty("state").GetString());
        Assert.True(replica.GetProperty("memory_bytes").GetInt64() > 0, "a child's RSS is its measured footprint");
    }

    [Fact]
    public async Task Http_ChatAndCompletions_ForwardedToRunningModelServer()
    {
        await using var upstream = YardProcess.Start(["model-server", "--model", SharedModels.Stories260K, "--port", "0", "--slots", "2", "--threads", "1"]);
        var url = (await upstream.WaitForLineAsync("listening on ", TimeSpan.FromSeconds(60))).TrimEnd('/');
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config($"""
            backend: http
            url: {url}/v1
            """), data.Path);

        await AssertServesEveryShapeAsync(gateway);
    }

    /// <summary>A task "chat" whose one candidate is "story-model", with the keys <paramref name="model"/> (one per line).</summary>
    private static string Config(string model) => $$"""
        server: { port: 0 }
        models:
          - name: story-model
            slots: 2
        {{string.Concat(model.Split('\n').Select(line => "    " + line.Trim() + "\n"))}}
        tasks:
          - name: chat
            priority: high
            models: [story-model]
        """;

    private static async Task AssertServesEveryShapeAsync(GatewayHarness gateway)
    {
        var chat = gateway.OpenAi().GetChatClient("chat");
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = MaxTokens };

        ClientResult<ChatCompletion> whole = await chat.CompleteChatAsync([new UserChatMessage("Once upon a time")], options, Ct);
        Assert.Equal(ChatMessageRole.Assistant, whole.Value.Role);
        Assert.False(string.IsNullOrWhiteSpace(whole.Value.Content[0].Text));
        Assert.Equal(MaxTokens, whole.Value.Usage.OutputTokenCount);
        Assert.True(whole.Value.Usage.InputTokenCount > 0);
        Assert.True(whole.GetRawResponse().Headers.TryGetValue("X-Yard-Model", out var served));
        Assert.Equal("story-model", served);

        var streamed = new StringBuilder();
        ChatTokenUsage? usage = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Once upon a time")], options, Ct))
        {
            streamed.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
            usage ??= update.Usage;
        }

        Assert.Equal(whole.Value.Content[0].Text, streamed.ToString());
        Assert.NotNull(usage);
        Assert.Equal(MaxTokens, usage.OutputTokenCount);

        using (var response = await gateway.PostAsync("/v1/chat/completions", new { model = "chat", messages = new[] { new { role = "user", content = "Hi" } }, max_tokens = MaxTokens, stream = true, stream_options = new { include_usage = true } }))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("story-model", Header(response, "X-Yard-Model"));
            Assert.Equal("chat", Header(response, "X-Yard-Task"));
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            var events = await EventsAsync(response);
            Assert.Equal("[DONE]", events[^1]);
            var last = JsonDocument.Parse(events[^2]).RootElement;
            Assert.Equal("chat.completion.chunk", last.GetProperty("object").GetString());
            Assert.Equal(MaxTokens, last.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        }

        using (var response = await gateway.PostAsync("/v1/completions", new { model = "chat", prompt = "Once upon a time", max_tokens = MaxTokens, temperature = 0 }))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("story-model", Header(response, "X-Yard-Model"));
            var body = await JsonAsync(response);
            Assert.Equal("text_completion", body.GetProperty("object").GetString());
            Assert.False(string.IsNullOrEmpty(body.GetProperty("choices")[0].GetProperty("text").GetString()));
            Assert.Equal(MaxTokens, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
            Assert.True(body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32() > 0);
        }

        using (var response = await gateway.PostAsync("/v1/completions", new { model = "chat", prompt = "Once upon a time", max_tokens = MaxTokens, stream = true, stream_options = new { include_usage = true } }))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("story-model", Header(response, "X-Yard-Model"));
            var events = await EventsAsync(response);
            Assert.Equal("[DONE]", events[^1]);
            var chunks = events[..^1].Select(e => JsonDocument.Parse(e).RootElement).ToList();
            Assert.All(chunks, c => Assert.Equal("text_completion", c.GetProperty("object").GetString()));
            Assert.Equal(MaxTokens, chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        }

        var stats = await gateway.AssertSettledAsync();
        Assert.Equal(5, stats.GetProperty("tasks").GetProperty("chat").GetProperty("outcomes").GetProperty("completed").GetInt32());
    }
}
