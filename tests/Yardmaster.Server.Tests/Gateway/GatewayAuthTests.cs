using System.Net;
using System.Net.Http.Json;
using OpenAI.Chat;
using static Yardmaster.Server.Tests.Gateway.GatewayResponses;

namespace Yardmaster.Server.Tests.Gateway;

/// <summary>With keys configured: /v1 needs an API or admin key (401 without or wrong), /api needs an admin key (403 with an API key).</summary>
public sealed class GatewayAuthTests(GatewayAuthTests.Fixture fixture) : IClassFixture<GatewayAuthTests.Fixture>
{
    private const string UserKey = "user-key-0123456789";
    private const string AdminKey = "admin-key-0123456789";
    private static readonly object _chat = new { model = "stories", messages = new[] { new { role = "user", content = "Hi" } }, max_tokens = 2 };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-key")]
    public async Task V1_MissingOrWrongKey_401(string? key)
    {
        using var http = fixture.Gateway.Client(key);
        using var response = await http.PostAsJsonAsync("/v1/chat/completions", _chat, Ct);

        var error = await AssertOpenAiErrorAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("authentication_error", error.GetProperty("type").GetString());
        await fixture.Gateway.AssertSettledAsync();
    }

    [Fact]
    public async Task OpenAiClient_WrongKey_ThrowsWith401()
    {
        var client = fixture.Gateway.OpenAi("not-a-key").GetChatClient("stories");

        var e = await Assert.ThrowsAsync<System.ClientModel.ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage("Hi")], cancellationToken: Ct));
        Assert.Equal(401, e.Status);
        await fixture.Gateway.AssertSettledAsync();
    }

    [Fact]
    public async Task V1_ApiKey_Served()
    {
        var client = fixture.Gateway.OpenAi(UserKey).GetChatClient("stories");

        ChatCompletion answer = await client.CompleteChatAsync([new UserChatMessage("Hi")], new ChatCompletionOptions { MaxOutputTokenCount = 2 }, Ct);

        Assert.Equal(2, answer.Usage.OutputTokenCount);
        await fixture.Gateway.AssertSettledAsync();
    }

    [Fact]
    public async Task Api_ApiKey_403()
    {
        using var http = fixture.Gateway.Client(UserKey);
        using var response = await http.GetAsync("/api/stats", Ct);

        await AssertProblemAsync(response, HttpStatusCode.Forbidden);
        await fixture.Gateway.AssertSettledAsync();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-key")]
    public async Task Api_MissingOrWrongKey_401(string? key)
    {
        using var http = fixture.Gateway.Client(key);
        using var response = await http.GetAsync("/api/tasks", Ct);

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        await fixture.Gateway.AssertSettledAsync();
    }

    public sealed class Fixture : GatewayFixture
    {
        protected override string Yaml => $$"""
            server: { port: 0 }
            auth:
              api_keys: [{{UserKey}}]
              admin_keys: [{{AdminKey}}]
            models:
              - { name: stories, path: stories260K.gguf, slots: 2, context: 64 }
            """;

        protected override string? Key => AdminKey;
    }
}
