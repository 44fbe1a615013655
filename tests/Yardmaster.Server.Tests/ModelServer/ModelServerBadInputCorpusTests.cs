using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Yardmaster.Server.Tests.BadInput;

namespace Yardmaster.Server.Tests.ModelServer;

/// <summary>
/// The regression corpus of issue 9 through a real <c>yard model-server</c> (context 256, the default body
/// limit of 1 MiB): every bad body a 400 naming its field; prompts far beyond the context or the body limit
/// refused naming the limit.
/// </summary>
public sealed class ModelServerBadInputCorpusTests(ModelServerFixture server) : IClassFixture<ModelServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> V1Cases => [.. BadInputCorpus.V1.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(V1Cases))]
    public async Task V1_CorpusBody_400NamingTheField(string name)
    {
        var bad = BadInputCorpus.V1.Single(c => c.Name == name);

        using var response = await PostAsync(bad.Chat ? "/v1/chat/completions" : "/v1/completions", bad.Body);

        var error = await ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(bad.Param, error.GetProperty("param").GetString());
        Assert.Contains(bad.Says, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, server.App.Engine.Status.BusySlots);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task V1_PromptFarBeyondTheContext_400NamingTheContext(bool chat)
    {
        var text = string.Concat(Enumerable.Repeat("the cat sat on the mat. ", 40_000)); // 960,000 characters, under the 1 MiB body limit
        object body = chat ? new { messages = new[] { new { role = "user", content = text } } } : new { prompt = text };

        using var response = await server.Http.PostAsJsonAsync(chat ? "/v1/chat/completions" : "/v1/completions", body, Ct);

        var error = await ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(chat ? "messages" : "prompt", error.GetProperty("param").GetString());
        Assert.Equal("context_length_exceeded", error.GetProperty("code").GetString());
        Assert.Contains("the prompt is more than 255 tokens but the context is 256 tokens", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Completions_BodyOverTheDefaultLimit_413NamingTheLimit()
    {
        var body = Encoding.UTF8.GetBytes($"{{\"prompt\": \"{new string('a', 14 << 20)}\"}}");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.ExpectContinue = true; // the server answers before the 14 MiB are sent

        using var response = await server.Http.SendAsync(request, Ct);

        var error = await ErrorAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("request_too_large", error.GetProperty("code").GetString());
        Assert.Contains("larger than the limit of 1048576 bytes", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task V1_ErrorMessageWithQuotesAndAngles_WrittenUnescaped()
    {
        using var response = await server.Http.PostAsJsonAsync("/v1/completions", new { model = "'x' + <y>", prompt = "hi" }, Ct);

        var raw = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("model ''x' + <y>' not found", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u00", raw, StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> PostAsync(string path, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return await server.Http.PostAsync(path, content, Ct);
    }

    private static async Task<JsonElement> ErrorAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement.GetProperty("error").Clone();
    }
}
