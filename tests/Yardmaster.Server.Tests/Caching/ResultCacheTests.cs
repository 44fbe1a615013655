using System.ClientModel;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OpenAI.Chat;
using Yardmaster.Server.Tests.Gateway;
using Yardmaster.Server.Tests.Observability;

namespace Yardmaster.Server.Tests.Caching;

/// <summary>
/// The result cache through a real gateway on the builtin runtime, with the official OpenAI client: hits, misses and
/// bypasses as the client sees them (<c>X-Yard-Cache</c>, identical answers), keys kept apart, the byte limit, the stats.
/// </summary>
public sealed class ResultCacheTests(ResultCacheTests.Fixture fixture) : IClassFixture<ResultCacheTests.Fixture>
{
    private const string AdminKey = "cache-admin-key";
    private const string KeyA = "cache-key-a";
    private const string KeyB = "cache-key-b";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private GatewayHarness Gateway => fixture.Gateway;

    [Fact]
    public async Task CompleteChat_SecondIdenticalRequest_HitWithIdenticalAnswer()
    {
        var chat = Gateway.OpenAi(KeyA).GetChatClient("cached");
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 8 };

        var first = await chat.CompleteChatAsync([new UserChatMessage("Once upon a time, a cat")], options, Ct);
        var second = await chat.CompleteChatAsync([new UserChatMessage("Once upon a time, a cat")], options, Ct);

        Assert.Equal("miss", Header(first, "X-Yard-Cache"));
        Assert.Equal("hit", Header(second, "X-Yard-Cache"));
        Assert.Equal("stories", Header(second, "X-Yard-Model"));
        Assert.Equal(first.Value.Id, second.Value.Id);
        Assert.Equal(first.Value.Content[0].Text, second.Value.Content[0].Text);
        Assert.Equal(first.Value.Usage.OutputTokenCount, second.Value.Usage.OutputTokenCount);
        Assert.Equal(first.GetRawResponse().Content.ToString(), second.GetRawResponse().Content.ToString());
    }

    [Fact]
    public async Task Embeddings_SecondIdenticalRequest_HitWithTheSameVectorsAndOtherKeysMiss()
    {
        using var http = Gateway.Client(KeyA);
        async Task<(string Cache, string Body)> EmbedAsync(HttpClient client, string input)
        {
            using var response = await client.PostAsync(new Uri("/v1/embeddings", UriKind.Relative), new StringContent($$"""{"model": "cached", "input": ["{{input}}", "a dog"]}""", Encoding.UTF8, "application/json"), Ct);
            var body = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            return (response.Headers.GetValues("X-Yard-Cache").Single(), body);
        }

        var first = await EmbedAsync(http, "a cat in a hat");
        var second = await EmbedAsync(http, "a cat in a hat");
        Assert.Equal(("miss", "hit"), (first.Cache, second.Cache));
        Assert.Equal(first.Body, second.Body);
        Assert.Equal(2, JsonDocument.Parse(second.Body).RootElement.GetProperty("data").GetArrayLength());
        Assert.Equal("miss", (await EmbedAsync(http, "a cat in a box")).Cache);
        using var other = Gateway.Client(KeyB);
        Assert.Equal("miss", (await EmbedAsync(other, "a cat in a hat")).Cache); // a key never sees another's answers
    }

    [Fact]
    public async Task Post_SameRequestOtherKeyOrderAndSpacing_Hit()
    {
        using var a = await PostRawAsync(KeyA, """{"model":"cached","temperature":0,"max_tokens":6,"messages":[{"role":"user","content":"The dog ran"}]}""");
        using var b = await PostRawAsync(KeyA, """{ "messages" : [ { "content" : "The dog ran", "role" : "user" } ], "max_tokens" : 6, "temperature" : 0.0, "model" : "cached" }""");

        Assert.Equal(HttpStatusCode.OK, a.StatusCode);
        Assert.Equal("miss", a.Headers.GetValues("X-Yard-Cache").Single());
        Assert.Equal("hit", b.Headers.GetValues("X-Yard-Cache").Single());
        Assert.Equal(await a.Content.ReadAsStringAsync(Ct), await b.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task CompleteChat_TemperatureAboveZero_NeverCached()
    {
        var chat = Gateway.OpenAi(KeyA).GetChatClient("cached");
        var options = new ChatCompletionOptions { Temperature = 0.8f, MaxOutputTokenCount = 4 };
        var before = await CountsAsync("cached");

        var first = await chat.CompleteChatAsync([new UserChatMessage("A warm day")], options, Ct);
        var second = await chat.CompleteChatAsync([new UserChatMessage("A warm day")], options, Ct);

        Assert.Equal("bypass", Header(first, "X-Yard-Cache"));
        Assert.Equal("bypass", Header(second, "X-Yard-Cache"));
        var after = await CountsAsync("cached");
        Assert.Equal(before.GetProperty("bypasses").GetInt64() + 2, after.GetProperty("bypasses").GetInt64());
        Assert.Equal(before.GetProperty("hits").GetInt64(), after.GetProperty("hits").GetInt64());
    }

    [Fact]
    public async Task CompleteChat_SeedWithoutTemperature_Cached()
    {
        var chat = Gateway.OpenAi(KeyA).GetChatClient("cached");
#pragma warning disable OPENAI001 // Seed is marked experimental in the client
        var options = new ChatCompletionOptions { Seed = 42, MaxOutputTokenCount = 4 };
#pragma warning restore OPENAI001

        var first = await chat.CompleteChatAsync([new UserChatMessage("Seeded story")], options, Ct);
        var second = await chat.CompleteChatAsync([new UserChatMessage("Seeded story")], options, Ct);

        Assert.Equal("miss", Header(first, "X-Yard-Cache"));
        Assert.Equal("hit", Header(second, "X-Yard-Cache"));
        Assert.Equal(first.Value.Content[0].Text, second.Value.Content[0].Text);
    }

    [Fact]
    public async Task CompleteChat_OtherKey_DoesNotSeeTheFirstKeysAnswer()
    {
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 4 };
        var byA = await Gateway.OpenAi(KeyA).GetChatClient("cached").CompleteChatAsync([new UserChatMessage("Keys apart")], options, Ct);
        var byB = await Gateway.OpenAi(KeyB).GetChatClient("cached").CompleteChatAsync([new UserChatMessage("Keys apart")], options, Ct);
        var againB = await Gateway.OpenAi(KeyB).GetChatClient("cached").CompleteChatAsync([new UserChatMessage("Keys apart")], options, Ct);

        Assert.Equal("miss", Header(byA, "X-Yard-Cache"));
        Assert.Equal("miss", Header(byB, "X-Yard-Cache"));
        Assert.Equal("hit", Header(againB, "X-Yard-Cache"));
    }

    [Fact]
    public async Task Post_NoCacheHeader_BypassesThenRefreshedAnswerServed()
    {
        const string body = """{"model":"cached","temperature":0,"max_tokens":5,"messages":[{"role":"user","content":"Refresh me"}]}""";
        using var first = await PostRawAsync(KeyA, body);
        using var refresh = await PostRawAsync(KeyA, body, noCache: true);
        using var after = await PostRawAsync(KeyA, body);

        Assert.Equal("miss", first.Headers.GetValues("X-Yard-Cache").Single());
        Assert.Equal("bypass", refresh.Headers.GetValues("X-Yard-Cache").Single());
        var refreshed = await refresh.Content.ReadAsStringAsync(Ct);
        Assert.Equal("hit", after.Headers.GetValues("X-Yard-Cache").Single());
        Assert.Equal(refreshed, await after.Content.ReadAsStringAsync(Ct));
        Assert.NotEqual(await first.Content.ReadAsStringAsync(Ct), refreshed); // a new answer (its own id) replaced the first
    }

    [Fact]
    public async Task CompleteChatStreaming_SecondIdenticalStream_ReplayedAsEvents()
    {
        var chat = Gateway.OpenAi(KeyA).GetChatClient("cached");
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 8 };

        var before = await CountsAsync("cached");
        var firstText = await StreamAsync(chat, "A stream of words", options);
        var middle = await CountsAsync("cached");
        var secondText = await StreamAsync(chat, "A stream of words", options);
        var after = await CountsAsync("cached");

        Assert.Equal(before.GetProperty("misses").GetInt64() + 1, middle.GetProperty("misses").GetInt64());
        Assert.Equal(middle.GetProperty("hits").GetInt64() + 1, after.GetProperty("hits").GetInt64());
        Assert.False(string.IsNullOrEmpty(firstText));
        Assert.Equal(firstText, secondText);
    }

    [Fact]
    public async Task CompleteChat_HitAfterUnload_AnsweredWithoutLoadingTheModel()
    {
        var chat = Gateway.OpenAi(KeyA).GetChatClient("cached");
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 4 };
        await chat.CompleteChatAsync([new UserChatMessage("No slot needed")], options, Ct);
        using (var unload = await Gateway.SendEmptyAsync(HttpMethod.Post, "/api/models/stories/unload"))
        {
            Assert.True(unload.IsSuccessStatusCode);
        }

        await WaitAsync(async () => (await Gateway.ReplicaStatesAsync("stories")).All(s => s == "unloaded"), "the replica to unload");

        var hit = await chat.CompleteChatAsync([new UserChatMessage("No slot needed")], options, Ct);

        Assert.Equal("hit", Header(hit, "X-Yard-Cache"));
        Assert.All(await Gateway.ReplicaStatesAsync("stories"), s => Assert.Equal("unloaded", s));
    }

    [Fact]
    public async Task Post_ManyAnswersOverMaxBytes_OldestEvictedAndBytesWithinLimit()
    {
        for (var i = 0; i < 12; i++)
        {
            using var response = await PostRawAsync(KeyA, $$"""{"model":"small-cache","temperature":0,"max_tokens":4,"messages":[{"role":"user","content":"Story number {{i}}"}]}""");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var counts = await WaitForCountsAsync("small-cache", c => c.GetProperty("evictions").GetInt64() > 0 && c.GetProperty("entries").GetInt64() > 0);
        Assert.Equal(12, counts.GetProperty("misses").GetInt64());
        Assert.InRange(counts.GetProperty("entries").GetInt64(), 1, 11);
        Assert.InRange(counts.GetProperty("bytes").GetInt64(), 1, 2048);
        Assert.Equal(2048, counts.GetProperty("max_bytes").GetInt64());
        var scrape = await ScrapeAsync();
        Assert.Equal(12, scrape.Sum("yard_cache_misses_total", ("task", "small-cache")));
        Assert.InRange(scrape.Sum("yard_cache_bytes", ("task", "small-cache")), 1, 2048);
    }

    [Fact]
    public async Task Stats_AfterHitAndMiss_CountedInApiStatsAndMetrics()
    {
        const string body = """{"model":"cached","temperature":0,"max_tokens":3,"messages":[{"role":"user","content":"Counted"}]}""";
        var before = await CountsAsync("cached");
        using (await PostRawAsync(KeyA, body))
        using (await PostRawAsync(KeyA, body))
        {
        }

        var after = await CountsAsync("cached");
        Assert.Equal(before.GetProperty("hits").GetInt64() + 1, after.GetProperty("hits").GetInt64());
        Assert.Equal(before.GetProperty("misses").GetInt64() + 1, after.GetProperty("misses").GetInt64());
        Assert.True(after.GetProperty("entries").GetInt64() >= 1);
        Assert.True(after.GetProperty("bytes").GetInt64() > 0);
        var scrape = await ScrapeAsync();
        Assert.True(scrape.Sum("yard_cache_hits_total", ("task", "cached")) >= 1);
        Assert.True(scrape.Sum("yard_cache_entries", ("task", "cached")) >= 1);
    }

    private static string? Header<T>(ClientResult<T> result, string name) =>
        result.GetRawResponse().Headers.TryGetValue(name, out var value) ? value : null;

    private static async Task<string> StreamAsync(ChatClient chat, string prompt, ChatCompletionOptions options)
    {
        var text = new StringBuilder();
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage(prompt)], options, Ct))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
        }

        return text.ToString();
    }

    private async Task<HttpResponseMessage> PostRawAsync(string key, string body, bool noCache = false)
    {
        using var http = Gateway.Client(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (noCache)
        {
            request.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
        }

        var response = await http.SendAsync(request, Ct);
        await response.Content.LoadIntoBufferAsync(Ct);
        return response;
    }

    private async Task<JsonElement> CountsAsync(string task)
    {
        var stats = await Gateway.StatsAsync();
        return stats.GetProperty("cache").TryGetProperty(task, out var counts)
            ? counts
            : JsonDocument.Parse("""{"hits":0,"misses":0,"bypasses":0,"entries":0,"bytes":0,"evictions":0}""").RootElement;
    }

    private async Task<JsonElement> WaitForCountsAsync(string task, Func<JsonElement, bool> condition)
    {
        JsonElement counts = default;
        await WaitAsync(async () => condition(counts = await CountsAsync(task)), $"the cache counts of {task} to settle");
        return counts;
    }

    private async Task<PrometheusText> ScrapeAsync()
    {
        using var response = await Gateway.Http.GetAsync("/metrics", Ct);
        return new PrometheusText(await response.Content.ReadAsStringAsync(Ct));
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(25, Ct);
        }
    }

    public sealed class Fixture : GatewayFixture
    {
        protected override string Yaml => $$"""
            server: { port: 0 }
            auth:
              api_keys: [{{KeyA}}, {{KeyB}}]
              admin_keys: [{{AdminKey}}]
            models:
              - { name: stories, path: stories260K.gguf, slots: 2, context: 128 }
            tasks:
              - name: cached
                models: [stories]
                cache: { ttl: 10m, max_entries: 1000, max_bytes: 1MiB }
              - name: small-cache
                models: [stories]
                cache: { max_entries: 100, max_bytes: 2KiB }
            """;

        protected override string? Key => AdminKey;
    }
}
