using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;

namespace Yardmaster.Server.Tests.ModelServer;

public sealed class ModelServerTests(ModelServerFixture server) : IClassFixture<ModelServerFixture>
{
    internal const string ReferenceText =
        " Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball. She wanted to play with it, but it was too high";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Completions_GreedyFromBos_ReproducesReferenceTextAndUsage()
    {
        using var response = await server.Http.PostAsJsonAsync("/v1/completions", new { model = "stories260K", prompt = "", max_tokens = 60, temperature = 0 }, Ct);
        var body = await Json(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text_completion", body.GetProperty("object").GetString());
        Assert.StartsWith("cmpl-", body.GetProperty("id").GetString(), StringComparison.Ordinal);
        var choice = body.GetProperty("choices")[0];
        Assert.Equal(ReferenceText, choice.GetProperty("text").GetString());
        Assert.Equal("length", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(1, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(60, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(61, body.GetProperty("usage").GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task Completions_TokenIdPrompt_SameAsTextPrompt()
    {
        using var response = await server.Http.PostAsJsonAsync("/v1/completions", new { prompt = new[] { 1 }, max_tokens = 60, temperature = 0 }, Ct);

        Assert.Equal(ReferenceText, (await Json(response)).GetProperty("choices")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Completions_Streaming_SendsOpenAiChunksThenDone()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = JsonContent.Create(new { prompt = "", max_tokens = 60, temperature = 0, stream = true, stream_options = new { include_usage = true } }),
        };
        using var response = await server.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        var events = await ReadEvents(response);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("[DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e).RootElement).ToList();
        Assert.All(chunks, c => Assert.Equal("text_completion", c.GetProperty("object").GetString()));
        var text = string.Concat(chunks.Where(c => c.GetProperty("choices").GetArrayLength() > 0)
            .Select(c => c.GetProperty("choices")[0].GetProperty("text").GetString()));
        Assert.Equal(ReferenceText, text);
        Assert.Equal("length", chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(60, chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Single(chunks.Select(c => c.GetProperty("id").GetString()).Distinct());
    }

    [Fact]
    public async Task ChatCompletions_OfficialClient_ReturnsAssistantMessageWithUsage()
    {
        var client = OpenAiClient().GetChatClient("stories260K");

        ChatCompletion completion = await client.CompleteChatAsync(
            [new UserChatMessage("Tell me a story")], new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 20 }, Ct);

        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.False(string.IsNullOrWhiteSpace(completion.Content[0].Text));
        Assert.Equal(ChatFinishReason.Length, completion.FinishReason);
        Assert.Equal(20, completion.Usage.OutputTokenCount);
        Assert.True(completion.Usage.InputTokenCount > 4);
    }

    [Fact]
    public async Task ChatCompletions_OfficialClientStreaming_MatchesNonStreaming()
    {
        var client = OpenAiClient().GetChatClient("stories260K");
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 30 };
        ChatCompletion whole = await client.CompleteChatAsync([new UserChatMessage("Once upon a time")], options, Ct);

        var streamed = new StringBuilder();
        ChatFinishReason? finish = null;
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("Once upon a time")], options, Ct))
        {
            foreach (var part in update.ContentUpdate)
            {
                streamed.Append(part.Text);
            }

            finish ??= update.FinishReason;
        }

        Assert.Equal(whole.Content[0].Text, streamed.ToString());
        Assert.Equal(ChatFinishReason.Length, finish);
    }

    [Fact]
    public async Task Models_ListsTheServedModelByFileName()
    {
        var models = await OpenAiClient().GetOpenAIModelClient().GetModelsAsync(Ct);

        Assert.Equal(["stories260K"], models.Value.Select(m => m.Id));
    }

    [Fact]
    public async Task Health_ReportsSlots()
    {
        var body = await Json(await server.Http.GetAsync("/health", Ct));

        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.Equal(2, body.GetProperty("slots_total").GetInt32());
    }

    internal static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;

    internal static async Task<List<string>> ReadEvents(HttpResponseMessage response)
    {
        var events = new List<string>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
        while (await reader.ReadLineAsync(Ct) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                events.Add(line["data: ".Length..]);
            }
            else
            {
                Assert.Equal(string.Empty, line);
            }
        }

        return events;
    }

    private OpenAIClient OpenAiClient() =>
        new(new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(server.BaseUrl, "/v1") });
}
