using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Yardmaster.Server.Tests.BadInput;
using static Yardmaster.Server.Tests.Gateway.GatewayResponses;

namespace Yardmaster.Server.Tests.Gateway;

/// <summary>The regression corpus of issue 9 through a real gateway: every bad body a 400 naming its field, never a 500.</summary>
public sealed class GatewayBadInputCorpusTests(BadInputGatewayFixture fixture) : IClassFixture<BadInputGatewayFixture>
{
    /// <summary>Bad bodies for the management API: route, body, and what the problem's detail or errors must say.</summary>
    private static readonly (string Name, HttpMethod Method, string Path, byte[] Body, string Says)[] _api =
    [
        ("task as invalid UTF-8", HttpMethod.Post, "/api/tasks", [.. "{\"name\": \"a"u8, 0xC0, 0xAF, .. "\"}"u8], "not valid UTF-8"),
        ("model name with a lone surrogate", HttpMethod.Post, "/api/models", "{\"name\": \"m\\ud800\", \"path\": \"x.gguf\"}"u8.ToArray(), "'name' is not valid Unicode"),
        ("task models as a string", HttpMethod.Put, "/api/tasks/t1", "{\"name\": \"t1\", \"models\": \"stories\"}"u8.ToArray(), "'models'"),
        ("model slots as a string", HttpMethod.Post, "/api/models", "{\"name\": \"m1\", \"path\": \"stories260K.gguf\", \"slots\": \"2\"}"u8.ToArray(), "'slots'"),
        ("task nested too deep", HttpMethod.Post, "/api/tasks", Encoding.UTF8.GetBytes("{\"name\": " + new string('[', 80) + new string(']', 80) + "}"), "depth"),
        ("run yaml with a lone surrogate", HttpMethod.Post, "/api/runs", "{\"yaml\": \"steps: \\udc00\"}"u8.ToArray(), "'yaml' is not valid Unicode"),
        ("validate as invalid UTF-8", HttpMethod.Post, "/api/pipelines/validate", [0xFF, .. "{\"yaml\": \"a\"}"u8], "not valid UTF-8"),
        ("retry step with a lone surrogate", HttpMethod.Post, "/api/runs/r1/retry", "{\"step\": \"\\udfff\"}"u8.ToArray(), "'step' is not valid Unicode"),
        ("retry body truncated", HttpMethod.Post, "/api/runs/r1/retry", "{\"step\": "u8.ToArray(), "not valid JSON"),
    ];

    private GatewayHarness Gateway => fixture.Gateway;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> V1Cases => [.. BadInputCorpus.V1.Select(c => c.Name)];

    public static TheoryData<string> ApiCases => [.. _api.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(V1Cases))]
    public async Task V1_CorpusBody_400NamingTheField(string name)
    {
        var bad = BadInputCorpus.V1.Single(c => c.Name == name);

        using var response = await Gateway.SendAsync(bad.Chat ? "/v1/chat/completions" : "/v1/completions", Json(bad.WithModel("chat")));

        var error = await AssertOpenAiErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(bad.Param, error.GetProperty("param").GetString());
        Assert.Contains(bad.Says, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ApiCases))]
    public async Task Api_CorpusBody_400Saying(string name)
    {
        var (_, method, path, body, says) = _api.Single(c => c.Name == name);
        using var request = new HttpRequestMessage(method, path) { Content = Json(body) };

        using var response = await Gateway.Http.SendAsync(request, Ct);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(says, problem.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v1/completions", "{\"model\": \"chat\", \"prompt\": \"Once\", \"max_tokens\": null}")]
    [InlineData("/v1/chat/completions", "{\"model\": \"chat\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_completion_tokens\": null, \"max_tokens\": 2}")]
    public async Task V1_MaxTokensNull_ServedWithTheDefault(string path, string body)
    {
        using var response = await Gateway.SendAsync(path, Json(Encoding.UTF8.GetBytes(body)));

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task V1_ErrorMessageWithQuotesAndAngles_WrittenUnescaped()
    {
        using var response = await Gateway.PostAsync("/v1/chat/completions", new { model = "'x' + <y> & \"z\"", messages = new[] { new { role = "user", content = "hi" } } });

        var raw = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("model or task ''x' + <y> & \\\"z\\\"' not found", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u00", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_ProblemDetailWithQuotesAndAngles_WrittenUnescaped()
    {
        using var response = await Gateway.Http.GetAsync("/api/tasks/'x'+%3Cy%3E", Ct);

        var raw = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("task ''x'+<y>' not found", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u00", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_ValidateErrorsWithQuotesAndAngles_WrittenUnescaped()
    {
        using var response = await Gateway.Http.PostAsJsonAsync("/api/pipelines/validate", new { yaml = "steps:\n  - { name: 'x<y>', run: echo }\n  - { name: 'x<y>', run: echo }\n", file = "<p>.yaml" }, Ct);

        var raw = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<p>.yaml", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u00", raw, StringComparison.Ordinal);
    }

    private static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }
}
