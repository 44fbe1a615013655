using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using OpenAI.Embeddings;
using static Yardmaster.Server.Tests.Gateway.GatewayResponses;

namespace Yardmaster.Server.Tests.Gateway;

/// <summary>
/// <c>POST /v1/embeddings</c> through a real gateway with API keys: a task over the builtin runtime, a <c>process</c>
/// backend running the real <c>yard model-server</c>, an <c>http</c> backend that serves no embeddings, and the refusals.
/// </summary>
public sealed class GatewayEmbeddingsTests(GatewayEmbeddingsTests.Fixture fixture) : IClassFixture<GatewayEmbeddingsTests.Fixture>
{
    private const string UserKey = "user-key-0123456789";
    private const string AdminKey = "admin-key-0123456789";
    private static readonly string[] Inputs = ["Once upon a time", "The cat sat on the mat.", "Lily"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private GatewayHarness Gateway => fixture.Gateway;

    [Fact]
    public async Task EmbeddingClient_TaskName_BatchInOrderFloatAndBase64Alike()
    {
        var client = Gateway.OpenAi(UserKey).GetEmbeddingClient("search");
        var before = await TaskCountsAsync("search");

        ClientResult<OpenAIEmbeddingCollection> batch = await client.GenerateEmbeddingsAsync(Inputs, cancellationToken: Ct);
        var floats = await PostAsync(new { model = "search", input = Inputs, encoding_format = "float" });
        var base64 = await PostAsync(new { model = "search", input = Inputs, encoding_format = "base64" });

        Assert.Equal([0, 1, 2], batch.Value.Select(e => e.Index));
        for (var i = 0; i < Inputs.Length; i++)
        {
            var vector = batch.Value[i].ToFloats().ToArray();
            Assert.Equal(64, vector.Length);
            Assert.Equal(1.0, Math.Sqrt(vector.Sum(v => (double)v * v)), 1e-5);
            Assert.Equal(vector, Floats(floats.Body, i));
            Assert.Equal(vector, MemoryMarshal.Cast<byte, float>(Convert.FromBase64String(base64.Body.GetProperty("data")[i].GetProperty("embedding").GetString()!)).ToArray());
        }

        Assert.NotEqual(Floats(floats.Body, 0), Floats(floats.Body, 2));
        Assert.Equal(("story-builtin", "search"), (floats.Model, floats.Task));
        var tokens = floats.Body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32();
        Assert.Equal(tokens, batch.Value.Usage.InputTokenCount);
        var after = await TaskCountsAsync("search");
        Assert.Equal(before.Completed + 3, after.Completed);
        Assert.Equal(before.TokensIn + (3 * tokens), after.TokensIn);
        Assert.Equal(before.TokensOut, after.TokensOut);
        await Gateway.AssertSettledAsync();
    }

    [Fact]
    public async Task ProcessBackend_ChildModelServer_SameVectorsAsTheBuiltinRuntime()
    {
        var builtin = await PostAsync(new { model = "story-builtin", input = Inputs });
        var process = await PostAsync(new { model = "story-process", input = Inputs });

        Assert.Equal("story-process", process.Model);
        for (var i = 0; i < Inputs.Length; i++)
        {
            var expected = Floats(builtin.Body, i);
            var actual = Floats(process.Body, i);
            Assert.All(expected.Zip(actual), p => Assert.Equal(p.First, p.Second, 1e-6f));
        }

        var stats = await Gateway.AssertSettledAsync();
        var model = stats.GetProperty("models").GetProperty("story-process");
        Assert.Equal(builtin.Body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), model.GetProperty("tokens_in").GetInt32());
    }

    [Fact]
    public async Task HttpBackendWithoutEmbeddings_400SayingSo()
    {
        using var response = await Gateway.Client(UserKey).PostAsJsonAsync("/v1/embeddings", new { model = "chat-only", input = "Lily" }, Ct);

        var error = await AssertOpenAiErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("embeddings_not_supported", error.GetProperty("code").GetString());
        Assert.StartsWith($"the model does not serve embeddings: its backend at {fixture.Upstream.Url}/ answered 404 to POST /v1/embeddings", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        await Gateway.AssertSettledAsync();
    }

    public static TheoryData<string, int, string, string> Refusals => new()
    {
        { """{"model": "nowhere", "input": "a"}""", 404, "model", "model or task 'nowhere' not found; tasks: search; models: chat-only, story-builtin, story-process" },
        { """{"input": "a"}""", 400, "model", "'model' is required: the name of a task or a model (see GET /v1/models)" },
        { """{"model": "search", "input": ["a", ""]}""", 400, "input[1]", "'input[1]' must not be an empty string" },
        { """{"model": "search", "input": 3}""", 400, "input", "'input' must be a string or an array, got a number (3)" },
        { """{"model": "search", "input": "a", "encoding_format": "hex"}""", 400, "encoding_format", "'encoding_format' must be \"float\" or \"base64\", got a string (\"hex\")" },
        { """{"model": "search", "input": "a", "dimensions": 8}""", 400, "dimensions", "'dimensions' is 8 but model 'story-builtin' gives embeddings of 64 dimensions and cannot shorten them; leave 'dimensions' out or set it to 64" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task BadRequest_RefusedNamingTheFieldAndNothingHeld(string body, int status, string param, string message)
    {
        using var response = await Gateway.Client(UserKey).PostAsync("/v1/embeddings", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Ct);

        var error = await AssertOpenAiErrorAsync(response, (HttpStatusCode)status);
        Assert.Equal((param, message), (error.GetProperty("param").GetString(), error.GetProperty("message").GetString()));
        await Gateway.AssertSettledAsync();
    }

    [Fact]
    public async Task InputLongerThanTheModelsContext_400NamingItsIndex()
    {
        var input = new[] { "Lily", "a", string.Concat(Enumerable.Repeat("Once upon a time ", 30)) };

        using var response = await Gateway.Client(UserKey).PostAsJsonAsync("/v1/embeddings", new { model = "search", input }, Ct);

        var error = await AssertOpenAiErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(("input[2]", "context_length_exceeded"), (error.GetProperty("param").GetString(), error.GetProperty("code").GetString()));
        Assert.Equal("'input[2]' is more than 64 tokens but the context of model 'story-builtin' is 64 tokens; shorten or split it", error.GetProperty("message").GetString());
        await Gateway.AssertSettledAsync();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-key")]
    public async Task MissingOrWrongKey_401(string? key)
    {
        using var response = await Gateway.Client(key).PostAsJsonAsync("/v1/embeddings", new { model = "search", input = "Lily" }, Ct);

        var error = await AssertOpenAiErrorAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("authentication_error", error.GetProperty("type").GetString());
    }

    [Fact]
    public async Task PriorityHeaderAboveTheTasks_403()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/embeddings") { Content = JsonContent.Create(new { model = "search", input = "Lily" }) };
        request.Headers.Add("X-Yard-Priority", "critical");
        using var response = await Gateway.Client(UserKey).SendAsync(request, Ct);

        var error = await AssertOpenAiErrorAsync(response, HttpStatusCode.Forbidden);
        Assert.Equal("priority_not_allowed", error.GetProperty("code").GetString());
    }

    private static float[] Floats(JsonElement body, int index) =>
        [.. body.GetProperty("data")[index].GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle())];

    private async Task<(JsonElement Body, string Model, string Task)> PostAsync(object body)
    {
        using var response = await Gateway.Client(UserKey).PostAsJsonAsync("/v1/embeddings", body, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {text}");
        return (JsonDocument.Parse(text).RootElement, Header(response, "X-Yard-Model"), Header(response, "X-Yard-Task"));
    }

    private async Task<(int Completed, long TokensIn, long TokensOut)> TaskCountsAsync(string task)
    {
        var stats = await Gateway.StatsAsync();
        if (!stats.GetProperty("tasks").TryGetProperty(task, out var t))
        {
            return (0, 0, 0);
        }

        var completed = t.GetProperty("outcomes").TryGetProperty("completed", out var c) ? c.GetInt32() : 0;
        return (completed, t.GetProperty("tokens_in").GetInt64(), t.GetProperty("tokens_out").GetInt64());
    }

    public sealed class Fixture : IAsyncLifetime
    {
        private readonly TempDirectory _data = new();

        public GatewayHarness Gateway { get; private set; } = null!;

        public SlowUpstream Upstream { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            Upstream = await SlowUpstream.StartAsync();
            Gateway = await GatewayHarness.StartAsync($$"""
                server: { port: 0 }
                auth:
                  api_keys: [{{UserKey}}]
                  admin_keys: [{{AdminKey}}]
                models:
                  - { name: story-builtin, backend: builtin, path: stories260K.gguf, slots: 2, context: 64 }
                  - name: story-process
                    backend: process
                    command: "yard model-server --model {path} --port {port} --slots {slots}"
                    path: stories260K.gguf
                    slots: 2
                  - { name: chat-only, backend: http, url: "{{Upstream.Url}}", slots: 2 }
                tasks:
                  - name: search
                    priority: high
                    models: [story-builtin]
                """, _data.Path, AdminKey);
        }

        public async ValueTask DisposeAsync()
        {
            await Gateway.DisposeAsync();
            await Upstream.DisposeAsync();
            _data.Dispose();
        }
    }
}
