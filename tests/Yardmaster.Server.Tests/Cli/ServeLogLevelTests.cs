using System.Net;
using System.Net.Http.Json;

namespace Yardmaster.Server.Tests.Cli;

/// <summary>What <c>yard serve</c> logs in text at its default level and with <c>-q</c>, and how it refuses a bad log option.</summary>
public sealed class ServeLogLevelTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Serve_DefaultLevel_AccessLineWithItsScopeButNoSchedulerEvents()
    {
        var stdout = await ServeOneRequestAsync([], "text-logs-1");

        var access = Assert.Single(stdout.Split('\n'), l => l.StartsWith("info: Yardmaster.Access[1]", StringComparison.Ordinal));
        Assert.StartsWith("info: Yardmaster.Access[1] => ", access, StringComparison.Ordinal);
        Assert.Contains(" => request text-logs-1 /v1/chat/completions 200 completed task=chat model=stories260K class=high queue_ms=", access, StringComparison.Ordinal);
        Assert.Contains(" tokens_out=4 ", access, StringComparison.Ordinal);
        Assert.EndsWith(" id=text-logs-1", access, StringComparison.Ordinal);
        Assert.DoesNotContain("Yardmaster.Scheduler", stdout, StringComparison.Ordinal); // the load is an event for -v
        Assert.EndsWith("yard serve: stopped\n", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_Quiet_NoAccessLine()
    {
        var stdout = await ServeOneRequestAsync(["-q"], "quiet-logs-1");

        Assert.DoesNotContain("Yardmaster.Access", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("quiet-logs-1", stdout, StringComparison.Ordinal);
        Assert.Contains("listening on ", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("xml")]
    [InlineData("")]
    public async Task Serve_BadLogFormat_ExitsTwoNamingTheFlagAndTheValues(string value)
    {
        using var home = new TempDirectory();

        var (exit, stdout, stderr) = await YardProcess.RunAsync(["serve", "--log-format", value, "--port", "0"], YardServeFixture.Environment(home.Path));

        Assert.Equal(2, exit);
        Assert.Contains($"error: --log-format: '{value}' is not one of text, json", stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, stdout);
    }

    [Fact]
    public async Task Serve_QuietAndVerbose_ExitsTwo()
    {
        using var home = new TempDirectory();

        var (exit, _, stderr) = await YardProcess.RunAsync(["serve", "-q", "-v", "--port", "0"], YardServeFixture.Environment(home.Path));

        Assert.Equal(2, exit);
        Assert.Contains("--quiet and --verbose contradict each other", stderr, StringComparison.Ordinal);
    }

    /// <summary>Starts <c>yard serve</c> with <paramref name="options"/>, answers one chat request sent with <paramref name="requestId"/>, stops it (which flushes its log) and returns its stdout.</summary>
    private static async Task<string> ServeOneRequestAsync(string[] options, string requestId)
    {
        using var home = new TempDirectory();
        var config = home.File("yard.yaml");
        await File.WriteAllTextAsync(config, JsonLogsServeFixture.Config, Ct);
        await using var serve = YardProcess.Start(["serve", "--config", config, "--port", "0", "--data", home.File("data"), .. options], YardServeFixture.Environment(home.Path));
        var url = await serve.WaitForLineAsync("listening on ", TimeSpan.FromSeconds(60));
        using (var http = new HttpClient { BaseAddress = new Uri(url), DefaultRequestHeaders = { { "Authorization", "Bearer " + JsonLogsServeFixture.ApiKey } } })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = JsonContent.Create(new { model = "chat", messages = new[] { new { role = "user", content = "Once upon a time" } }, max_tokens = 4 }),
                Headers = { { "X-Request-Id", requestId } },
            };
            using var response = await http.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(requestId, Assert.Single(response.Headers.GetValues("X-Request-Id")));
        }

        Assert.Equal(0, await serve.TerminateAsync(TimeSpan.FromSeconds(30)));
        return serve.Stdout;
    }
}
