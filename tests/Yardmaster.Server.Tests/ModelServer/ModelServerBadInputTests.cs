using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Yardmaster.Server.ModelServer;

namespace Yardmaster.Server.Tests.ModelServer;

public sealed class ModelServerBadInputTests(ModelServerFixture server) : IClassFixture<ModelServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("{\"prompt\": \"hi\", ", null, "not valid JSON")]
    [InlineData("[1, 2]", null, "must be a JSON object")]
    [InlineData("{\"prompt\": \"hi\", \"max_tokens\": \"ten\"}", "max_tokens", "'max_tokens' must be an integer between -2147483648 and 2147483647, got a string (\"ten\")")]
    [InlineData("{\"prompt\": \"hi\", \"max_tokens\": 0}", "max_tokens", "at least 1")]
    [InlineData("{\"prompt\": \"hi\", \"max_tokens\": -5}", "max_tokens", "at least 1")]
    [InlineData("{\"prompt\": \"hi\", \"max_tokens\": 1000000}", "max_tokens", "context length is 256")]
    [InlineData("{\"prompt\": \"hi\", \"max_tokens\": 1e30}", "max_tokens", "must be an integer")]
    [InlineData("{\"prompt\": \"hi\", \"temperature\": 2.5}", "temperature", "between 0 and 2")]
    [InlineData("{\"prompt\": \"hi\", \"temperature\": -1}", "temperature", "between 0 and 2")]
    [InlineData("{\"prompt\": \"hi\", \"top_p\": 0}", "top_p", "greater than 0")]
    [InlineData("{\"prompt\": \"hi\", \"top_p\": 1.5}", "top_p", "at most 1")]
    [InlineData("{\"prompt\": \"hi\", \"stream\": \"yes\"}", "stream", "must be a boolean")]
    [InlineData("{\"prompt\": \"hi\", \"stop\": [1, 2]}", "stop", "array of at most 16 strings")]
    [InlineData("{\"prompt\": 42}", "prompt", "got a number")]
    [InlineData("{\"max_tokens\": 5}", "prompt", "'prompt' is required")]
    [InlineData("{\"prompt\": [\"a\", \"b\"]}", "prompt", "one prompt per request")]
    [InlineData("{\"prompt\": [1, 999999]}", "prompt", "outside the vocabulary")]
    [InlineData("{\"prompt\": \"hi\", \"n\": 3}", "n", "'n' must be 1")]
    public async Task Completions_BadBody_Returns400NamingTheField(string body, string? param, string message)
    {
        using var response = await Post("/v1/completions", Encoding.UTF8.GetBytes(body));

        await AssertError(response, HttpStatusCode.BadRequest, param, message);
    }

    [Theory]
    [InlineData("{\"messages\": []}", "messages", "at least one message")]
    [InlineData("{\"messages\": [{\"role\": \"wizard\", \"content\": \"hi\"}]}", "messages[0].role", "got 'wizard'")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": 7}]}", "messages[0].content", "got a number")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\"}]}]}", "messages[0].content[0]", "text only")]
    [InlineData("{\"messages\": \"hello\"}", "messages", "must be an array")]
    public async Task ChatCompletions_BadMessages_Returns400NamingTheField(string body, string param, string message)
    {
        using var response = await Post("/v1/chat/completions", Encoding.UTF8.GetBytes(body));

        await AssertError(response, HttpStatusCode.BadRequest, param, message);
    }

    [Theory]
    [InlineData("/v1/completions", "{\"prompt\": \"hi\", \"max_tokens\": 2}", "urgent")]
    [InlineData("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "4")]
    [InlineData("/v1/embeddings", "{\"input\": \"hi\"}", "")]
    public async Task Post_BadPriorityHeader_Returns400NamingTheHeader(string path, string body, string priority)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.TryAddWithoutValidation("X-Yard-Priority", priority);

        using var response = await server.Http.SendAsync(request, Ct);

        await AssertError(response, HttpStatusCode.BadRequest, "X-Yard-Priority", $"header X-Yard-Priority must be one of critical | high | normal | low | batch, got '{priority}'");
    }

    [Fact]
    public async Task Completions_InvalidUtf8_Returns400()
    {
        byte[] body = [.. "{\"prompt\": \""u8, 0xFF, 0xFE, .. "\"}"u8];

        using var response = await Post("/v1/completions", body);

        await AssertError(response, HttpStatusCode.BadRequest, null, "not valid UTF-8 (at byte 12)");
    }

    [Fact]
    public async Task Completions_PromptLongerThanContext_Returns400WithBothLengths()
    {
        var prompt = string.Concat(Enumerable.Repeat("the cat sat on the mat. ", 100));

        using var response = await server.Http.PostAsJsonAsync("/v1/completions", new { prompt, max_tokens = 4 }, Ct);

        var error = await AssertError(response, HttpStatusCode.BadRequest, "prompt", "but the context is 256 tokens");
        Assert.Contains("the prompt is more than 255 tokens", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Completions_UnknownModel_Returns404NamingTheServedOne()
    {
        using var response = await server.Http.PostAsJsonAsync("/v1/completions", new { model = "gpt-9", prompt = "hi" }, Ct);

        await AssertError(response, HttpStatusCode.NotFound, "model", "this server serves 'stories260K'");
    }

    [Fact]
    public async Task BadRequests_LeaveNoSlotBusy_AndServerKeepsServing()
    {
        for (var i = 0; i < 20; i++)
        {
            using var bad = await Post("/v1/completions", "{\"prompt\": \"hi\", \"top_p\": 7}"u8.ToArray());
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }

        using var good = await server.Http.PostAsJsonAsync("/v1/completions", new { prompt = "", max_tokens = 60, temperature = 0 }, Ct);
        var body = await ModelServerTests.Json(good);

        Assert.Equal(ModelServerTests.ReferenceText, body.GetProperty("choices")[0].GetProperty("text").GetString());
        Assert.Equal(0, server.App.Engine.Status.BusySlots);
    }

    [Fact]
    public async Task Completions_MoreConcurrentThanSlotsAndQueue_Returns429WithRetryAfter_AndDisconnectFreesSlots()
    {
        await using var app = ModelServerApp.Create(new ModelServerOptions
        {
            ModelPath = SharedModels.Stories260K,
            Port = 0,
            Engine = new() { Slots = 1, MaxQueue = 1, ContextLength = 8192, Threads = 1 },
        });
        using var http = new HttpClient { BaseAddress = await app.StartAsync(Ct) };
        // 8,000 tokens with attention over up to 8,192 positions take tens of seconds: the first request outlives the test.
        var endless = new { prompt = "", max_tokens = 8000, temperature = 0, ignore_eos = true, stream = true };

        using var running = await http.SendAsync(Streaming(endless), HttpCompletionOption.ResponseHeadersRead, Ct);
        using var runningStream = await running.Content.ReadAsStreamAsync(Ct);
        await runningStream.ReadExactlyAsync(new byte[16], Ct);
        using var queued = await http.SendAsync(Streaming(endless), HttpCompletionOption.ResponseHeadersRead, Ct);
        using var refused = await http.PostAsJsonAsync("/v1/completions", endless, Ct);

        await AssertError(refused, HttpStatusCode.TooManyRequests, null, "queue holds 1");
        Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal(1, app.Engine.Status.BusySlots);
        Assert.Equal(1, app.Engine.Status.Queued);

        running.Dispose();
        runningStream.Dispose();
        queued.Dispose();
        await WaitUntil(() => app.Engine.Status is { BusySlots: 0, Queued: 0 });
        using var after = await http.PostAsJsonAsync("/v1/completions", new { prompt = "", max_tokens = 5, temperature = 0 }, Ct);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task UnknownRoute_Returns404InOpenAiShape()
    {
        using var response = await server.Http.GetAsync("/v1/audio/speech", Ct);

        await AssertError(response, HttpStatusCode.NotFound, null, "no route for GET /v1/audio/speech");
    }

    [Fact]
    public async Task KnownRoute_WrongMethod_Returns405WithAllowInOpenAiShape()
    {
        using var response = await server.Http.GetAsync("/v1/completions", Ct);

        await AssertError(response, HttpStatusCode.MethodNotAllowed, null, "GET is not allowed on /v1/completions; use POST");
        Assert.Equal("POST", string.Join(", ", response.Content.Headers.Allow));
    }

    internal static async Task WaitUntil(Func<bool> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "condition not reached within 10 s");
            await Task.Delay(20, Ct);
        }
    }

    private static HttpRequestMessage Streaming(object body) =>
        new(HttpMethod.Post, "/v1/completions") { Content = JsonContent.Create(body) };

    private async Task<HttpResponseMessage> Post(string path, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        return await server.Http.PostAsync(path, content, Ct);
    }

    private static async Task<string> AssertError(HttpResponseMessage response, HttpStatusCode status, string? param, string message)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {text}");
        var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
        var actualMessage = error.GetProperty("message").GetString()!;
        Assert.Contains(message, actualMessage, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(error.GetProperty("type").GetString()));
        if (param is not null)
        {
            Assert.Equal(param, error.GetProperty("param").GetString());
        }

        return actualMessage;
    }
}
