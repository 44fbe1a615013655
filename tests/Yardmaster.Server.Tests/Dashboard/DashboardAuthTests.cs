using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Yardmaster.Server.Dashboard;
using Yardmaster.Server.Tests.Gateway;

namespace Yardmaster.Server.Tests.Dashboard;

/// <summary>
/// The dashboard's page and login over HTTP: the page and its assets load without a credential and with a strict
/// CSP; <c>/login</c> exchanges the admin token for an <c>HttpOnly; SameSite=Strict</c> session cookie that is not the
/// token, refuses a wrong token without a cookie, keeps the 415 and Origin rules; the cookie opens <c>/api</c> until logout.
/// </summary>
public sealed class DashboardAuthTests
{
    private const string Config = """
        server: { port: 0 }
        models:
          - name: tiny
            path: stories260K.gguf
            context: 64
            replicas: { min: 0, max: 1 }
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/", "text/html")]
    [InlineData("/dashboard/app.js", "text/javascript")]
    [InlineData("/dashboard/style.css", "text/css")]
    public async Task Get_DashboardFile_ServedWithoutCredentialWithStrictHeaders(string path, string type)
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config, data.Path);
        using var browser = new DashboardClient(gateway);

        using var response = await browser.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.True(response.Headers.CacheControl?.NoCache, "Cache-Control: no-cache");
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.DoesNotContain("https://", body.Replace("http://www.w3.org/2000/svg", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_PageHtml_HasNoInlineScript()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config, data.Path);
        using var browser = new DashboardClient(gateway);

        using var response = await browser.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync(Ct);

        Assert.Matches("<script src=\"/dashboard/app.js\" defer></script>", html);
        Assert.Equal(1, html.Split("<script", StringSplitOptions.None).Length - 1);
        Assert.DoesNotContain(" onclick=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" style=", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Api_NoCookieNoKey_Unauthorized()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config, data.Path);
        using var browser = new DashboardClient(gateway);

        Assert.Equal(HttpStatusCode.Unauthorized, await browser.StatusAsync("/api/stats"));
        Assert.Equal(HttpStatusCode.Unauthorized, await browser.StatusAsync("/api/nodes"));
        Assert.Equal(HttpStatusCode.Unauthorized, await browser.StatusAsync("/api/runs"));
    }

    [Fact]
    public async Task Login_WrongToken_UnauthorizedAndNoCookie()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config, data.Path);
        using var browser = new DashboardClient(gateway);

        using var response = await browser.LoginAsync("not-the-token");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"), "a refused login sets no cookie");
        Assert.Contains("wrong admin token", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Null(browser.Cookie);
        Assert.Equal(HttpStatusCode.Unauthorized, await browser.StatusAsync("/api/stats"));
    }

    [Fact]
    public async Task Login_ApiKeyNotAdmin_UnauthorizedAndNoCookie()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config + "\nauth: { api_keys: [user-key] }\n", data.Path);
        using var browser = new DashboardClient(gateway);

        using var response = await browser.LoginAsync("user-key");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task Login_AdminToken_SetsHttpOnlyStrictSessionCookieThatIsNotTheToken()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config, data.Path);
        using var browser = new DashboardClient(gateway);

        using var response = await browser.LoginAsync(gateway.AdminToken!);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cookie = DashboardClient.SessionCookie(response);
        Assert.NotNull(cookie);
        var attributes = cookie.Split(';', StringSplitOptions.TrimEntries);
        Assert.Contains("httponly", attributes, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", attributes, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("path=/", attributes, StringComparer.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", attributes, StringComparer.OrdinalIgnoreCase); // plain http on loopback
        Assert.DoesNotContain(gateway.AdminToken!, cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(global::Yardmaster.Server.Gateway.ApiKeys.Hash(gateway.AdminToken!), cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, await browser.StatusAsync("/api/stats"));
        Assert.Equal(HttpStatusCode.OK, await browser.StatusAsync("/api/nodes"));
    }

    [Fact]
    public async Task Login_NotJson_UnsupportedMediaTypeAndNoCookie()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config, data.Path);
        using var browser = new DashboardClient(gateway);

        using var form = await browser.SendAsync(HttpMethod.Post, "/login", new FormUrlEncodedContent([new("token", gateway.AdminToken!)]));
        using var text = await browser.SendAsync(HttpMethod.Post, "/login", new StringContent($"{{\"token\":\"{gateway.AdminToken}\"}}", System.Text.Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
        Assert.Null(DashboardClient.SessionCookie(form));
        Assert.Null(DashboardClient.SessionCookie(text));
    }

    [Fact]
    public async Task Login_ForeignOrigin_ForbiddenAndNoCookie()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config, data.Path);
        using var browser = new DashboardClient(gateway);

        using var response = await browser.SendAsync(HttpMethod.Post, "/login", JsonContent.Create(new { token = gateway.AdminToken }), ("Origin", "https://evil.example"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Null(DashboardClient.SessionCookie(response));
    }

    [Fact]
    public async Task CookiePost_ForeignOrigin_ForbiddenAndNothingDone()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config, data.Path);
        using var browser = new DashboardClient(gateway);
        (await browser.LoginAsync(gateway.AdminToken!)).Dispose();

        using var foreign = await browser.SendAsync(HttpMethod.Post, "/api/models/tiny/load", GatewayHarness.EmptyJson(), ("Origin", "https://evil.example"));
        using var plain = await browser.SendAsync(HttpMethod.Post, "/api/models/tiny/load", new StringContent(string.Empty, System.Text.Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, plain.StatusCode);
        Assert.Empty(await gateway.ReplicaStatesAsync("tiny"));
    }

    [Fact]
    public async Task CookiePost_OwnOrigin_LoadsModel()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config, data.Path);
        using var browser = new DashboardClient(gateway);
        (await browser.LoginAsync(gateway.AdminToken!)).Dispose();

        using var response = await browser.SendAsync(HttpMethod.Post, "/api/models/tiny/load", GatewayHarness.EmptyJson(), ("Origin", gateway.Url.GetLeftPart(UriPartial.Authority)));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await gateway.WaitForStatsAsync(s => s.GetProperty("models").GetProperty("tiny").GetProperty("status").GetProperty("replicas").EnumerateArray().Any(r => r.GetProperty("state").GetString() == "ready"), "the model loading");
    }

    [Fact]
    public async Task Logout_WithSession_CookieClearedAndApiRefused()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config, data.Path);
        using var browser = new DashboardClient(gateway);
        (await browser.LoginAsync(gateway.AdminToken!)).Dispose();
        Assert.Equal(HttpStatusCode.OK, await browser.StatusAsync("/api/stats"));

        using var response = await browser.SendAsync(HttpMethod.Post, "/logout", GatewayHarness.EmptyJson());

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Contains("expires=", DashboardClient.SessionCookie(response) ?? string.Empty, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.Unauthorized, await browser.StatusAsync("/api/stats")); // the old cookie, replayed, is dead
    }

    [Fact]
    public async Task Api_ForgedCookie_Unauthorized()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config, data.Path);
        using var browser = new DashboardClient(gateway) { Cookie = DashboardSessions.CookieName + "=" + gateway.AdminToken };

        Assert.Equal(HttpStatusCode.Unauthorized, await browser.StatusAsync("/api/stats"));
    }

    [Fact]
    public async Task Api_CookieWithWrongBearer_JudgedByBearer()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config, data.Path);
        using var browser = new DashboardClient(gateway);
        (await browser.LoginAsync(gateway.AdminToken!)).Dispose();

        using var response = await browser.SendAsync(HttpMethod.Get, "/api/stats", null, ("Authorization", "Bearer wrong"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task V1_SessionCookieOnly_NotAccepted()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config + "\nauth: { api_keys: [user-key] }\n", data.Path);
        using var browser = new DashboardClient(gateway);
        (await browser.LoginAsync(gateway.AdminToken!)).Dispose();
        Assert.NotNull(browser.Cookie);

        using var response = await browser.SendAsync(HttpMethod.Post, "/v1/completions", JsonContent.Create(new { model = "tiny", prompt = "Once", max_tokens = 1 }));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Login_ManyWrongTokens_SlowedDownThenRightTokenStillWorksLater()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config, data.Path);
        using var browser = new DashboardClient(gateway);
        for (var i = 0; i <= LoginBackoff.FreeFailures; i++)
        {
            using var wrong = await browser.LoginAsync("wrong-" + i);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var slowed = await browser.LoginAsync(gateway.AdminToken!);

        Assert.Equal((HttpStatusCode)429, slowed.StatusCode);
        Assert.NotNull(slowed.Headers.RetryAfter);
        Assert.Null(DashboardClient.SessionCookie(slowed));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            using var again = await browser.LoginAsync(gateway.AdminToken!);
            if (again.StatusCode == HttpStatusCode.OK)
            {
                break;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"login still refused: {(int)again.StatusCode}");
            await Task.Delay(100, Ct);
        }

        Assert.Equal(HttpStatusCode.OK, await browser.StatusAsync("/api/stats"));
    }

    [Fact]
    public async Task Login_Malformed_BadRequestAndNoCookie()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config, data.Path);
        using var browser = new DashboardClient(gateway);

        using var missing = await browser.SendAsync(HttpMethod.Post, "/login", JsonContent.Create(new { key = "x" }));
        using var broken = await browser.SendAsync(HttpMethod.Post, "/login", new StringContent("{\"token\":", new MediaTypeHeaderValue("application/json")));

        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Null(DashboardClient.SessionCookie(missing));
    }
}
