using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using static Yardmaster.Server.Tests.Gateway.GatewayResponses;

namespace Yardmaster.Server.Tests.Gateway;

/// <summary>
/// Closed by default, on a gateway started as a new user would (no key configured, loopback): /api needs the
/// generated admin token; a browser page cannot reach a handler cross-site (Host, Origin, Content-Type); an
/// API-made model cannot read the server's environment.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class GatewaySecurityTests(GatewaySecurityTests.Fixture fixture) : IClassFixture<GatewaySecurityTests.Fixture>
{
    private const string Dashboard = "https://dash.example.com";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private GatewayHarness Gateway => fixture.Gateway;

    [Fact]
    public async Task Api_NoAdminKeyConfigured_GeneratedOwnerOnlyTokenRequired()
    {
        var file = Path.Combine(fixture.DataDirectory, "admin.token");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(Gateway.AdminToken, (await File.ReadAllTextAsync(file, Ct)).Trim());

        using var anonymous = Gateway.Client(null);
        using (var refused = await anonymous.GetAsync("/api/tasks", Ct))
        {
            var problem = await AssertProblemAsync(refused, HttpStatusCode.Unauthorized);
            Assert.Contains("admin key", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using (var wrong = Gateway.Client("0123456789abcdef0123456789abcdef"))
        using (var refused = await wrong.GetAsync("/api/runs", Ct))
        {
            await AssertProblemAsync(refused, HttpStatusCode.Unauthorized);
        }

        using var served = await Gateway.Http.GetAsync("/api/tasks", Ct);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        // /v1 stays open on loopback while no key is configured.
        using var models = await anonymous.GetAsync("/v1/models", Ct);
        Assert.Equal(HttpStatusCode.OK, models.StatusCode);
    }

    [Fact]
    public async Task Store_GeneratedToken_OnlyItsHashKept()
    {
        var token = Gateway.AdminToken!;
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        var stored = new StringBuilder();
        foreach (var file in Directory.GetFiles(fixture.DataDirectory, "yard.db*"))
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream, Encoding.Latin1);
            stored.Append(await reader.ReadToEndAsync(Ct));
        }

        Assert.Contains(hash, stored.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(token, stored.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://evil.example", "evil.example", "text/plain", null)]
    [InlineData("http://evil.example", "evil.example", "text/plain", "admin")]
    [InlineData(null, "rebound.example", "application/json", "admin")]
    [InlineData("http://evil.example", null, "application/json", "admin")]
    [InlineData(null, null, "text/plain", "admin")]
    [InlineData(null, null, "application/x-www-form-urlencoded", "admin")]
    [InlineData(null, null, "application/jsonx", "admin")]
    [InlineData(null, "127.0.0.1.evil.example", "application/json", "admin")]
    [InlineData(null, "localhost.evil.example:80", "application/json", "admin")]
    public async Task PostRuns_CrossSiteOrNotJson_RefusedAndNothingRuns(string? origin, string? host, string contentType, string? key)
    {
        var marker = Path.Combine(fixture.DataDirectory, "ran-" + Guid.NewGuid().ToString("N"));
        var body = JsonSerializer.Serialize(new { yaml = $"name: csrf\nsteps:\n  - id: touch\n    run: touch {marker}\n" });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/runs") { Content = new StringContent(body, Encoding.UTF8, contentType) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (origin is not null)
        {
            request.Headers.TryAddWithoutValidation("Origin", origin);
        }

        if (host is not null)
        {
            request.Headers.Host = host;
        }

        using var http = Gateway.Client(key is null ? null : Gateway.AdminToken);
        using var response = await http.SendAsync(request, Ct);

        var expected = origin is null && host is null ? HttpStatusCode.UnsupportedMediaType : HttpStatusCode.Forbidden;
        var problem = await AssertProblemAsync(response, expected);
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains(host is not null ? "Host" : origin is not null ? "cross-origin" : "application/json", detail, StringComparison.Ordinal);
        var runs = await Gateway.GetJsonAsync("/api/runs?pipeline=csrf");
        Assert.Empty(runs.GetProperty("runs").EnumerateArray());
        Assert.False(File.Exists(marker), "the refused request's command ran");
    }

    [Fact]
    public async Task V1_TextPlainPost_415InOpenAiShape()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = new StringContent("""{"model": "chat", "prompt": "Once", "max_tokens": 2}""", Encoding.UTF8, "text/plain"),
        };
        using var response = await Gateway.Http.SendAsync(request, Ct);

        var error = await AssertOpenAiErrorAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("--json", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        await Gateway.AssertSettledAsync();
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("Application/JSON")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json;charset=UTF-8")]
    public async Task V1_JsonContentTypes_Answered(string contentType)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = new StringContent("""{"model": "chat", "prompt": "Once", "max_tokens": 2}""", Encoding.UTF8),
        };
        request.Content.Headers.Remove("Content-Type");
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        using var response = await Gateway.Http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Gateway.AssertSettledAsync();
    }

    [Fact]
    public async Task Post_NoContentTypeEmptyBody_415()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/runs/r1/cancel");
        using var response = await Gateway.Http.SendAsync(request, Ct);

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]")]
    [InlineData("LocalHost")]
    [InlineData("127.0.0.2")]
    [InlineData("[0:0:0:0:0:0:0:1]")]
    public async Task Get_LoopbackHostNames_Served(string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/tasks");
        request.Headers.Host = $"{host}:{Gateway.Url.Port}";
        using var response = await Gateway.Http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ConfiguredOrigin_PreflightAnsweredAndRequestsReadable()
    {
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/chat/completions");
        preflight.Headers.TryAddWithoutValidation("Origin", Dashboard);
        preflight.Headers.TryAddWithoutValidation("Access-Control-Request-Method", "POST");
        using var answered = await Gateway.Http.SendAsync(preflight, Ct);
        Assert.Equal(HttpStatusCode.NoContent, answered.StatusCode);
        Assert.Equal(Dashboard, Header(answered, "Access-Control-Allow-Origin"));
        Assert.Contains("Authorization", Header(answered, "Access-Control-Allow-Headers"), StringComparison.Ordinal);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/tasks");
        request.Headers.TryAddWithoutValidation("Origin", Dashboard);
        using var response = await Gateway.Http.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Dashboard, Header(response, "Access-Control-Allow-Origin"));

        // Its own origin is always allowed, without CORS headers.
        using var own = new HttpRequestMessage(HttpMethod.Get, "/api/tasks");
        own.Headers.TryAddWithoutValidation("Origin", $"http://127.0.0.1:{Gateway.Url.Port}");
        using var ownResponse = await Gateway.Http.SendAsync(own, Ct);
        Assert.Equal(HttpStatusCode.OK, ownResponse.StatusCode);
        Assert.Empty(Header(ownResponse, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task PostModel_ApiKeyEnv_403NothingStored()
    {
        using var response = await Gateway.PostAsync("/api/models", new { name = "leak", backend = "http", url = "http://127.0.0.1:9/v1", api_key_env = "HOME" });

        var problem = await AssertProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Contains("api_key_env", problem.GetProperty("errors")[0].GetString(), StringComparison.Ordinal);
        using var missing = await Gateway.Http.GetAsync("/api/models/leak", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    public sealed class Fixture : GatewayFixture
    {
        protected override string Yaml => $$"""
            server: { port: 0, cors_origins: [{{Dashboard}}] }
            models:
              - { name: stories, path: stories260K.gguf, slots: 2, context: 64 }
            tasks:
              - { name: chat, models: [stories] }
            """;
    }
}
