using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Yardmaster.Server.Tests.Cli;

/// <summary><c>yard serve --log-format json -v</c>: what an operator's log shipper reads from standard output.</summary>
public sealed class ServeJsonLogsTests(JsonLogsServeFixture server) : IClassFixture<JsonLogsServeFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Completion_ClientRequestId_AccessLineAndResponseHeaderCarryIt()
    {
        using var http = server.Client();
        using var response = await PostAsync(http, "chat", "json-logs-1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("json-logs-1", Assert.Single(response.Headers.GetValues("X-Request-Id")));

        var line = await server.WaitForAsync(l => IsAccess(l, "json-logs-1"), "of the access of json-logs-1");
        Assert.Equal("Information", line.GetProperty("LogLevel").GetString());
        Assert.EndsWith("Z", line.GetProperty("Timestamp").GetString(), StringComparison.Ordinal);
        var state = line.GetProperty("State");
        Assert.Equal("/v1/chat/completions", state.GetProperty("Path").GetString());
        Assert.Equal(200, state.GetProperty("Status").GetInt32());
        Assert.Equal("completed", state.GetProperty("Outcome").GetString());
        Assert.Equal("chat", state.GetProperty("Task").GetString());
        Assert.Equal("stories260K", state.GetProperty("Model").GetString());
        Assert.Equal("high", state.GetProperty("PriorityClass").GetString());
        Assert.True(state.GetProperty("TokensIn").GetInt32() > 0, line.ToString());
        Assert.Equal(4, state.GetProperty("TokensOut").GetInt32());
        Assert.True(state.GetProperty("LatencyMs").GetDouble() >= state.GetProperty("TtftMs").GetDouble(), line.ToString());
        Assert.True(state.GetProperty("QueueMs").GetDouble() >= 0, line.ToString());
        Assert.Equal(JsonValueKind.Null, state.GetProperty("Reason").ValueKind);
        Assert.True(state.TryGetProperty("Decision", out _), line.ToString());
        Assert.Contains(line.GetProperty("Scopes").EnumerateArray(), s => Has(s, "RequestId", "json-logs-1"));
    }

    [Fact]
    public async Task Completion_Refused_AccessLineHasTheReason()
    {
        using var http = server.Client();
        using var response = await PostAsync(http, "batch", "json-logs-refused", ("X-Yard-Priority", "critical"));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("json-logs-refused", Assert.Single(response.Headers.GetValues("X-Request-Id")));

        var state = (await server.WaitForAsync(l => IsAccess(l, "json-logs-refused"), "of the refused request")).GetProperty("State");
        Assert.Equal(403, state.GetProperty("Status").GetInt32());
        Assert.Equal("refused", state.GetProperty("Outcome").GetString());
        Assert.Equal("priority_not_allowed", state.GetProperty("Reason").GetString());
        Assert.Equal("batch", state.GetProperty("Task").GetString());
        Assert.Equal(JsonValueKind.Null, state.GetProperty("Model").ValueKind);
    }

    [Fact]
    public async Task Api_RefusedWithoutKey_AnswerCarriesARequestId()
    {
        using var anonymous = new HttpClient { BaseAddress = new Uri(server.Url) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/stats") { Headers = { { "X-Request-Id", "json-logs-401" } } };
        using var echoed = await anonymous.SendAsync(request, Ct);
        using var generated = await anonymous.GetAsync("/v1/models", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, echoed.StatusCode);
        Assert.Equal("json-logs-401", Assert.Single(echoed.Headers.GetValues("X-Request-Id")));
        Assert.Equal(HttpStatusCode.Unauthorized, generated.StatusCode);
        Assert.StartsWith("req_", Assert.Single(generated.Headers.GetValues("X-Request-Id")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_StepLines_CarryRunAndStepIds()
    {
        var file = server.File("logged.yaml");
        await File.WriteAllTextAsync(file, "name: logged\nsteps:\n  - { id: greet, run: \"echo hello\" }\n", Ct);

        var (exit, stdout, stderr) = await server.RunAsync(["run", file]);

        Assert.True(exit == 0, $"yard run: {exit} {stdout} {stderr}");
        var run = stdout.Split(' ')[1]; // "run r1 submitted (...)"
        var running = await server.WaitForAsync(l => StepLine(l, run, "running"), $"of step greet of run {run} running");
        var scope = running.GetProperty("Scopes").EnumerateArray().Single(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("StepId", out _));
        Assert.Equal(run, scope.GetProperty("RunId").GetString());
        Assert.Equal("greet", scope.GetProperty("StepId").GetString());
        Assert.Equal(1, scope.GetProperty("Attempt").GetInt32());
        await server.WaitForAsync(l => StepLine(l, run, "succeeded"), $"of step greet of run {run} succeeded");
        await server.WaitForAsync(
            l => l.GetProperty("Scopes").EnumerateArray().Any(s => Has(s, "RunId", run)) && l.GetProperty("Message").GetString()!.StartsWith($"Run {run} ", StringComparison.Ordinal),
            $"of the end of run {run}");
    }

    [Fact]
    public async Task Run_InferenceStep_AccessLinesNameTheAttemptAndTheLine()
    {
        var file = server.File("asked.yaml");
        await File.WriteAllTextAsync(file, """
            name: asked
            priority: batch
            steps:
              - id: write
                run: printf '{"prompt":"Once","max_tokens":2}\n{"prompt":"Twice","max_tokens":2}\n' > in.jsonl
              - id: ask
                needs: [write]
                inference: { task: batch, input: in.jsonl, output: out.jsonl }
            """, Ct);

        var (exit, stdout, stderr) = await server.RunAsync(["run", file]);

        Assert.True(exit == 0, $"yard run: {exit} {stdout} {stderr}");
        var run = stdout.Split(' ')[1];
        foreach (var line in new[] { 1, 2 })
        {
            var state = (await server.WaitForAsync(l => IsAccess(l, $"{run}.ask.1.{line}"), $"of line {line} of step ask")).GetProperty("State");
            Assert.Equal(200, state.GetProperty("Status").GetInt32());
            Assert.Equal("batch", state.GetProperty("Task").GetString());
            Assert.Equal("/v1/completions", state.GetProperty("Path").GetString());
        }
    }

    [Fact]
    public async Task Verbose_SchedulerEventsButNoLinePerHttpRequest()
    {
        using var http = server.Client();
        for (var i = 0; i < 3; i++)
        {
            using var response = await PostAsync(http, "chat", $"json-logs-v{i}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await server.WaitForAsync(l => IsAccess(l, "json-logs-v2"), "of the access of json-logs-v2");
        await server.WaitForAsync(l => l.GetProperty("Category").GetString() == "Yardmaster.Scheduler" && l.GetProperty("Message").GetString()!.Contains("ready in", StringComparison.Ordinal), "of the model's load (shown with -v)");
        var lines = server.Lines();
        Assert.DoesNotContain(lines, l => l.GetProperty("Category").GetString()!.StartsWith("Microsoft", StringComparison.Ordinal) && l.GetProperty("LogLevel").GetString() is "Information" or "Debug" or "Trace");
        Assert.DoesNotContain(lines, l => l.GetProperty("Message").GetString()!.StartsWith("Request starting", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.EndsWith("Z", l.GetProperty("Timestamp").GetString(), StringComparison.Ordinal));
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, string task, string requestId, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new { model = task, messages = new[] { new { role = "user", content = "Once upon a time" } }, max_tokens = 4 }),
            Headers = { { "X-Request-Id", requestId } },
        };
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        return http.SendAsync(request, Ct);
    }

    private static bool IsAccess(JsonElement line, string requestId) =>
        line.GetProperty("Category").GetString() == "Yardmaster.Access" && line.GetProperty("State").GetProperty("RequestId").GetString() == requestId;

    private static bool StepLine(JsonElement line, string run, string to) =>
        line.GetProperty("State").TryGetProperty("To", out var state) && state.GetString() == to
        && line.GetProperty("Scopes").EnumerateArray().Any(s => Has(s, "RunId", run) && Has(s, "StepId", "greet"));

    private static bool Has(JsonElement scope, string name, string value) =>
        scope.ValueKind == JsonValueKind.Object && scope.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() == value;
}
