using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using static Yardmaster.Server.Tests.Gateway.GatewayResponses;

namespace Yardmaster.Server.Tests.Gateway;

/// <summary>
/// Bad input to the management API of a real gateway: each is a 4xx in the problem-details shape (an OpenAI error
/// under /v1) that names what was wrong, never a 500, and costs a bounded answer.
/// </summary>
public sealed class ApiBadInputTests(ApiBadInputTests.Fixture fixture) : IClassFixture<ApiBadInputTests.Fixture>
{
    private const string AdminKey = "bad-input-admin-key";

    private GatewayHarness Gateway => fixture.Gateway;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/api/pipelines/validate")]
    [InlineData("/api/runs")]
    public async Task PostPipeline_BillionLaughs_RefusedAtTheAliasWithOneError(string path)
    {
        var yaml = BillionLaughs();

        using var response = await Gateway.PostAsync(path, new { yaml, file = "lol.yaml" });
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.True(text.Length < 4_000, $"a {text.Length}-character answer to a {yaml.Length}-character file");
        var body = JsonDocument.Parse(text).RootElement;
        var errors = body.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        var error = Assert.Single(errors);
        Assert.StartsWith("lol.yaml:5:", error, StringComparison.Ordinal);
        Assert.Contains("aliases repeat more than 10,000 nodes", error, StringComparison.Ordinal);
        Assert.Equal(1, body.GetProperty("error_count").GetInt32());
        if (path == "/api/runs")
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("1 error in lol.yaml; nothing was started", body.GetProperty("detail").GetString());
        }
        else
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.False(body.GetProperty("valid").GetBoolean());
        }
    }

    [Fact]
    public async Task PostPipeline_AliasInsideItsOwnAnchor_RefusedNamingIt()
    {
        using var response = await Gateway.PostAsync("/api/pipelines/validate", new { yaml = "name: loop\nsteps: &s\n  - id: a\n    run: echo\n    needs: *s\n", file = "loop.yaml" });
        var body = await JsonAsync(response);

        var error = Assert.Single(body.GetProperty("errors").EnumerateArray()).GetString()!;
        Assert.StartsWith("loop.yaml:5:12:", error, StringComparison.Ordinal);
        Assert.Contains("alias *s is inside the node anchored &s", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostRuns_SixteenThousandUnknownNeeds_400WithTheFirstHundredAndTheCount()
    {
        var yaml = new StringBuilder("name: wide\nsteps:\n");
        for (var i = 0; i < 16_000; i++)
        {
            yaml.Append(System.Globalization.CultureInfo.InvariantCulture, $"  - {{ id: s{i}, run: \"true\", needs: [t{i}] }}\n");
        }

        using var response = await Gateway.PostAsync("/api/runs", new { yaml = yaml.ToString(), file = "wide.yaml" });
        var problem = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("16000 errors in wide.yaml; nothing was started (the first 100 are listed)", problem.GetProperty("detail").GetString());
        Assert.Equal(16_000, problem.GetProperty("error_count").GetInt32());
        var errors = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(100, errors.Count);
        Assert.Equal("wide.yaml:3:36: steps[0].needs[0]: unknown step 't0'; did you mean 's0'?", errors[0]);
        Assert.StartsWith("wide.yaml:102:", errors[99], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/runs", "{\"yaml\": \"name: x\\nsteps: \xFF\xFE\"}", "not valid UTF-8 (at byte 26)")]
    [InlineData("/api/pipelines/validate", "{\"yaml\": \"name: \xC3\x28\"}", "not valid UTF-8 (at byte 16)")]
    [InlineData("/api/runs", "{\"yaml\": \"name: x\\n\", \"file\": \"\\ud800.yaml\"}", "'file' is not valid Unicode")]
    [InlineData("/api/pipelines/validate", "{\"yaml\": \"name: \\udc00\"}", "'yaml' is not valid Unicode")]
    [InlineData("/api/tasks", "{\"name\": \"\xFF\", \"priority\": \"normal\", \"models\": [\"m\"]}", "not valid UTF-8 (at byte 10)")]
    [InlineData("/api/models", "{\"name\": \"m\", \"path\": \"\\ud800\"}", "'path' is not valid Unicode")]
    [InlineData("/api/models", "{\"na\xFFme\": \"m\"}", "not valid UTF-8 (at byte 4)")]
    public async Task Post_StringThatIsNotText_400NamingTheField(string path, string latin1Body, string expected)
    {
        // Each char of the literal is one byte of the body: \xFF stays the byte 0xFF, which no UTF-8 text holds.
        using var content = new ByteArrayContent(Encoding.Latin1.GetBytes(latin1Body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await Gateway.SendAsync(path, content);
        var problem = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostRuns_BinaryFileAsText_400NamingTheFileAndLine()
    {
        // What a client sends after reading a binary file as text: control characters and replacement characters.
        var binary = new string([.. Enumerable.Range(0, 600).Select(i => (char)(i * 7919 % 256 is var b && b < 32 ? b : b < 128 ? b : 0xFFFD))]);

        using var response = await Gateway.PostAsync("/api/runs", new { yaml = binary, file = "model.bin" });
        var problem = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.StartsWith("model.bin:", e, StringComparison.Ordinal));
    }

    [Fact]
    public async Task PostRuns_ImageWithUrlCharacters_400NamingTheImage()
    {
        using var response = await Gateway.PostAsync("/api/pipelines/validate", new
        {
            yaml = "name: img\nsteps:\n  - id: a\n    container: { image: \"yard/busybox:local/json?#/../..\", command: [\"true\"] }\n",
            file = "img.yaml",
        });
        var body = await JsonAsync(response);

        Assert.Contains(body.GetProperty("errors").EnumerateArray(), e => e.GetString()!.StartsWith(
            "img.yaml:4:25: steps[0].container.image: 'yard/busybox:local/json?#/../..' is not an image reference", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PostRetry_UnknownStep_404NamingIt()
    {
        using var submitted = await Gateway.PostAsync("/api/runs", new { yaml = "name: once\nsteps:\n  - id: only\n    run: echo hi\n" });
        var id = (await JsonAsync(submitted)).GetProperty("id").GetString()!;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((await Gateway.GetJsonAsync($"/api/runs/{id}")).GetProperty("state").GetString() == "running" && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, Ct);
        }

        using var retry = await Gateway.PostAsync($"/api/runs/{id}/retry", new { step = "nope" });
        var problem = await JsonAsync(retry);

        Assert.Equal($"run {id} has no step 'nope'", problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, retry.StatusCode);
    }

    [Theory]
    [InlineData("GET", "/api/runs/r1/cancel", "POST")]
    [InlineData("DELETE", "/api/runs", "GET, POST")]
    [InlineData("GET", "/api/pipelines/validate", "POST")]
    [InlineData("PATCH", "/api/models/m", "DELETE, GET, PUT")]
    public async Task Api_KnownPathWrongMethod_405WithAllowAsProblem(string method, string path, string allow)
    {
        // A JSON body even where none is read: the method, not a missing content type, is what is wrong.
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "GET" ? null : JsonContent.Create(new { }) };
        using var response = await Gateway.Http.SendAsync(request, Ct);
        var problem = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(allow, string.Join(", ", response.Content.Headers.Allow));
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(405, problem.GetProperty("status").GetInt32());
        Assert.Equal($"{method} is not allowed on {path}; use {allow.Replace(", ", " or ", StringComparison.Ordinal)}", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task V1_KnownPathWrongMethod_405WithAllowAsOpenAiError()
    {
        using var response = await Gateway.Http.GetAsync("/v1/chat/completions", Ct);

        var error = await AssertOpenAiErrorAsync(response, HttpStatusCode.MethodNotAllowed);
        Assert.Equal("POST", string.Join(", ", response.Content.Headers.Allow));
        Assert.Equal("method_not_allowed", error.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("/api/nothing-here", "application/problem+json")]
    [InlineData("/v1/nothing-here", "application/json")]
    public async Task UnknownPath_404InItsSurfacesShape(string path, string mediaType)
    {
        using var response = await Gateway.Http.GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(response.Content.Headers.Allow);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"no route for GET {path}", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    /// <summary>Ten levels of ten aliases each: 10^10 nodes if expanded, 1.4 KB as text.</summary>
    private static string BillionLaughs()
    {
        var yaml = new StringBuilder("name: lol\nl0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var level = 1; level < 10; level++)
        {
            yaml.Append(System.Globalization.CultureInfo.InvariantCulture, $"l{level}: &l{level} [{string.Join(", ", Enumerable.Repeat($"*l{level - 1}", 10))}]\n");
        }

        return yaml.Append("steps:\n  - { id: a, run: \"true\" }\n").ToString();
    }

    public sealed class Fixture : GatewayFixture
    {
        protected override string Yaml => $$"""
            server: { port: 0 }
            auth: { admin_keys: [{{AdminKey}}] }
            jobs: { stop_grace: 1s }
            """;

        protected override string? Key => AdminKey;
    }
}
