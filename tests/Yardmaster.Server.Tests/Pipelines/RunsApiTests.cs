using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Yardmaster.Server.Tests.Gateway;

namespace Yardmaster.Server.Tests.Pipelines;

/// <summary><c>/api/runs</c> and <c>/api/pipelines</c> on a real <c>yard serve</c> gateway with keys, including an inference step sent through the gateway itself.</summary>
public sealed class RunsApiTests(RunsApiTests.Fixture fixture) : IClassFixture<RunsApiTests.Fixture>
{
    private const string AdminKey = "runs-admin-key";
    private const string UserKey = "runs-user-key";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PostRuns_InferenceStep_AnswersEveryRequestInOrderThroughTheGateway()
    {
        var input = string.Join('\n', Enumerable.Range(1, 5).Select(i => $$"""{"messages":[{"role":"user","content":"story {{i}}"}],"max_tokens":4}"""))
            + "\n" + """{"prompt":"Once upon a time","max_tokens":3}""";
        var yaml = $"""
            name: batch-answers
            priority: batch
            steps:
              - id: write
                run: printf '%s\n' '{input.Replace("\n", "' '", StringComparison.Ordinal)}' > requests.jsonl
              - id: ask
                needs: [write]
                inference: {"{"} task: chat, input: requests.jsonl, output: answers.jsonl, concurrency: 3 {"}"}
            """;
        var run = await SubmitAndWaitAsync(yaml);

        Assert.Equal("succeeded", run.GetProperty("state").GetString());
        var answers = await File.ReadAllLinesAsync(Path.Combine(run.GetProperty("working_directory").GetString()!, "answers.jsonl"), Ct);
        Assert.Equal(6, answers.Length);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("chat.completion", JsonDocument.Parse(answers[i]).RootElement.GetProperty("object").GetString());
        }

        Assert.Equal("text_completion", JsonDocument.Parse(answers[5]).RootElement.GetProperty("object").GetString());
        using var log = await fixture.Gateway.Http.GetAsync($"/api/runs/{run.GetProperty("id").GetString()}/logs/ask", Ct);
        Assert.Contains("6 requests to task 'chat' at priority batch", await log.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostRuns_InferenceInputWithABadLine_StepFailsNamingTheLine()
    {
        var run = await SubmitAndWaitAsync("""
            name: bad-requests
            steps:
              - id: write
                run: printf '%s\n' '{"prompt":"ok","max_tokens":2}' 'not json' > requests.jsonl
              - id: ask
                needs: [write]
                inference: { task: chat, input: requests.jsonl, output: answers.jsonl }
            """);

        Assert.Equal("failed", run.GetProperty("state").GetString());
        var ask = run.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("id").GetString() == "ask");
        Assert.StartsWith("requests.jsonl:2: not valid JSON", ask.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(run.GetProperty("working_directory").GetString()!, "answers.jsonl")));
    }

    [Fact]
    public async Task GetLogs_FollowWhileTheStepRuns_StreamsEveryLineUntilItEnds()
    {
        using var submitted = await fixture.Gateway.Http.PostAsJsonAsync("/api/runs", new { yaml = "name: talker\nsteps:\n  - id: talk\n    run: for i in 1 2 3 4 5; do echo line $i; sleep 0.2; done\n" }, Ct);
        var id = JsonDocument.Parse(await submitted.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("id").GetString()!;
        await WaitForStepStateAsync(id, "talk", "running");

        using var logs = await fixture.Gateway.Http.GetAsync($"/api/runs/{id}/logs/talk?follow=true", Ct);
        var text = await logs.Content.ReadAsStringAsync(Ct);

        Assert.Equal(string.Concat(Enumerable.Range(1, 5).Select(i => $"line {i}\n")), text);
        Assert.Equal("succeeded", (await WaitEndedAsync(id)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task PostRuns_InvalidPipeline_400WithEveryErrorAndNoRun()
    {
        var before = await fixture.Gateway.GetJsonAsync("/api/runs?limit=1000");
        using var response = await fixture.Gateway.Http.PostAsJsonAsync("/api/runs", new { yaml = "name: bad\nsteps:\n  - id: a\n    needs: [zz]\n    inference: { task: nope, input: i, output: o }\n", file = "bad.yaml" }, Ct);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(errors, e => e.StartsWith("bad.yaml:4:", StringComparison.Ordinal) && e.Contains("unknown step 'zz'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("steps[0].inference.task: unknown task 'nope'; the server has: chat", StringComparison.Ordinal));
        var after = await fixture.Gateway.GetJsonAsync("/api/runs?limit=1000");
        Assert.Equal(before.GetProperty("runs").GetArrayLength(), after.GetProperty("runs").GetArrayLength());
    }

    [Fact]
    public async Task PostRuns_BadWhenAndMap_400NamingTheFieldPaths()
    {
        using var response = await fixture.Gateway.Http.PostAsJsonAsync("/api/runs", new
        {
            yaml = "name: fan\nsteps:\n  - id: a\n    run: 'true'\n  - id: b\n    needs: a\n    map: { items: [x], max_parallel: 0 }\n    run: 'true'\n"
                + "  - id: c\n    needs: b\n    when: steps.b.outputs.n >\n    run: 'true'\n",
            file = "fan.yaml",
        }, Ct);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("fan.yaml:7:", StringComparison.Ordinal) && e.Contains("steps[1].map.max_parallel: must be at least 1; found 0", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("fan.yaml:11:", StringComparison.Ordinal) && e.Contains("steps[2].when: column 20: expected a value", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetRun_MapWithOutputs_ShowsOutputsAndItemCountsHidingItemAttemptsOfALargeMap()
    {
        var run = await SubmitAndWaitAsync("""
            name: fan-out
            steps:
              - id: each
                map: { lines: items.txt }
                needs: write
                run: echo "{\"n\":$YARD_ITEM}" > "$YARD_OUTPUTS"
              - id: write
                run: seq 1 101 > items.txt
              - id: small
                map: { items: [a, b] }
                run: echo '{"ok":true}' > "$YARD_OUTPUTS"
            """);

        Assert.Equal("succeeded", run.GetProperty("state").GetString());
        var id = run.GetProperty("id").GetString()!;
        var steps = run.GetProperty("steps").EnumerateArray().ToDictionary(s => s.GetProperty("id").GetString()!);
        var items = steps["each"].GetProperty("items");
        Assert.Equal((101, 0, 0, 101, 0), (items.GetProperty("total").GetInt32(), items.GetProperty("pending").GetInt32(), items.GetProperty("running").GetInt32(), items.GetProperty("succeeded").GetInt32(), items.GetProperty("failed").GetInt32()));
        Assert.Equal(JsonValueKind.Null, steps["each"].GetProperty("outputs").ValueKind);
        Assert.Equal(JsonValueKind.Object, steps["write"].GetProperty("outputs").ValueKind);
        Assert.False(steps["write"].TryGetProperty("items", out _));
        Assert.Equal("""{"items":[{"ok":true},{"ok":true}]}""", steps["small"].GetProperty("outputs").GetRawText().Replace(" ", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal));
        var attempts = run.GetProperty("attempts").EnumerateArray().ToList();
        Assert.DoesNotContain(attempts, a => a.GetProperty("step").GetString() == "each");
        Assert.Equal(2, attempts.Count(a => a.GetProperty("step").GetString() == "small" && a.TryGetProperty("item", out _)));
        Assert.DoesNotContain(run.GetProperty("transitions").EnumerateArray(), t => t.GetProperty("step").GetString() == "each" && t.TryGetProperty("attempt", out _));

        var all = await fixture.Gateway.GetJsonAsync($"/api/runs/{id}?items=true");
        var each = all.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("id").GetString() == "each");
        Assert.Equal(Enumerable.Range(1, 101), each.GetProperty("outputs").GetProperty("items").EnumerateArray().Select(i => i.GetProperty("n").GetInt32()));
        Assert.Equal(101, all.GetProperty("attempts").EnumerateArray().Count(a => a.GetProperty("step").GetString() == "each"));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1, 2]")]
    [InlineData("{\"file\": \"x.yaml\"}")]
    public async Task PostRuns_BadBody_400NamingTheFields(string body)
    {
        using var response = await fixture.Gateway.Http.PostAsync("/api/runs", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("yaml", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostCancelAndRetry_RunningRun_CancelledThenRunAgain()
    {
        using var submitted = await fixture.Gateway.Http.PostAsJsonAsync("/api/runs", new { yaml = "name: long\nsteps:\n  - id: wait\n    run: sleep 30\n  - id: after\n    needs: [wait]\n    run: \"true\"\n" }, Ct);
        Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
        var id = JsonDocument.Parse(await submitted.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("id").GetString()!;
        await WaitForStepStateAsync(id, "wait", "running");

        using var cancel = await fixture.Gateway.SendEmptyAsync(HttpMethod.Post, $"/api/runs/{id}/cancel");
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var cancelled = await WaitEndedAsync(id);
        Assert.Equal("cancelled", cancelled.GetProperty("state").GetString());
        Assert.All(cancelled.GetProperty("steps").EnumerateArray(), s => Assert.Equal("cancelled", s.GetProperty("state").GetString()));
        using var again = await fixture.Gateway.SendEmptyAsync(HttpMethod.Post, $"/api/runs/{id}/cancel");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        using var retry = await fixture.Gateway.Http.PostAsJsonAsync($"/api/runs/{id}/retry", new { step = "after" }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        using var cancelAgain = await fixture.Gateway.SendEmptyAsync(HttpMethod.Post, $"/api/runs/{id}/cancel");
        Assert.Equal(HttpStatusCode.Accepted, cancelAgain.StatusCode);
        await WaitEndedAsync(id);
    }

    [Fact]
    public async Task Api_UnknownRunOrStep_404AndUserKeyIsForbidden()
    {
        using var missing = await fixture.Gateway.Http.GetAsync("/api/runs/r999999", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var user = fixture.Gateway.Client(UserKey);
        using var forbidden = await user.GetAsync("/api/runs", Ct);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);

        var run = await SubmitAndWaitAsync("name: tiny\nsteps:\n  - id: only\n    run: echo hi\n");
        using var noStep = await fixture.Gateway.Http.GetAsync($"/api/runs/{run.GetProperty("id").GetString()}/logs/nope", Ct);
        Assert.Equal(HttpStatusCode.NotFound, noStep.StatusCode);
        Assert.Contains("it has: only", await noStep.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        var pipelines = await fixture.Gateway.GetJsonAsync("/api/pipelines");
        Assert.Contains(pipelines.GetProperty("pipelines").EnumerateArray(), p => p.GetProperty("name").GetString() == "tiny");
    }

    private async Task<JsonElement> SubmitAndWaitAsync(string yaml)
    {
        using var response = await fixture.Gateway.Http.PostAsJsonAsync("/api/runs", new { yaml, file = "test.yaml" }, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return await WaitEndedAsync(JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!);
    }

    private async Task<JsonElement> WaitEndedAsync(string id)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var run = await fixture.Gateway.GetJsonAsync($"/api/runs/{id}");
            if (run.GetProperty("state").GetString() != "running" || DateTime.UtcNow > deadline)
            {
                return run;
            }

            await Task.Delay(50, Ct);
        }
    }

    private async Task WaitForStepStateAsync(string id, string step, string state)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var run = await fixture.Gateway.GetJsonAsync($"/api/runs/{id}");
            if (run.GetProperty("steps").EnumerateArray().Any(s => s.GetProperty("id").GetString() == step && s.GetProperty("state").GetString() == state))
            {
                return;
            }

            await Task.Delay(20, Ct);
        }

        Assert.Fail($"step '{step}' of {id} did not become {state}");
    }

    public sealed class Fixture : GatewayFixture
    {
        protected override string Yaml => $$"""
            server: { port: 0 }
            auth:
              api_keys: [{{UserKey}}]
              admin_keys: [{{AdminKey}}]
            jobs: { stop_grace: 1s }
            models:
              - { name: stories, path: stories260K.gguf, slots: 2, context: 64 }
            tasks:
              - { name: chat, priority: normal, models: [stories] }
            """;

        protected override string? Key => AdminKey;
    }
}
