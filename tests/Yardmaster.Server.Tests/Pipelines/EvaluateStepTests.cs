using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Yardmaster.Server.Tests.Gateway;

namespace Yardmaster.Server.Tests.Pipelines;

/// <summary>
/// <c>evaluate:</c> steps on a real gateway: a dataset asked of two builtin models through the request scheduler, scored,
/// recorded as their quality, and then used by a task's quality floor to pick the model.
/// </summary>
public sealed class EvaluateStepTests
{
    private const string Config = """
        server: { port: 0 }
        auth: { admin_keys: [admin-key] }
        models:
          - { name: stories, path: stories260K.gguf, slots: 2, context: 64, cost: 5 }
          - { name: noise, path: llama-2-tiny-random.gguf, slots: 2, context: 64, cost: 1 }
        tasks:
          - name: tell
            models: [noise, stories]
            quality: { metric: tell-v1, min: 0.5 }
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Evaluate_TwoModels_ScoresRecordedAndTheTaskMovesToTheModelMeetingTheFloor()
    {
        using var data = new TempDirectory();
        var work = Path.Combine(data.Path, "work");
        Directory.CreateDirectory(work);
        await using var gateway = await GatewayHarness.StartAsync(Config + $"\njobs: {{ allowed_dirs: [{work}] }}\n", data.Path, key: "admin-key");

        // The dataset's expected answers are what stories says at temperature 0 to two prompts, and one it will not say.
        var prompts = new[] { "Once upon a time", "The cat" };
        var answers = new List<string>();
        foreach (var prompt in prompts)
        {
            using var response = await gateway.PostAsync("/v1/chat/completions", new { model = "stories", messages = new[] { new { role = "user", content = prompt } }, max_tokens = 6, temperature = 0 });
            answers.Add((await GatewayResponses.JsonAsync(response)).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!);
        }

        var dataset = string.Join('\n',
            JsonSerializer.Serialize(new { input = prompts[0], expected = answers[0] }),
            JsonSerializer.Serialize(new { messages = new[] { new { role = "user", content = prompts[1] } }, expected = answers[1] }),
            JsonSerializer.Serialize(new { input = prompts[0], expected = "a zebra quantum xylophone" }),
            JsonSerializer.Serialize(new { input = prompts[1], expected = "a zebra quantum xylophone" }));
        await File.WriteAllTextAsync(Path.Combine(work, "tell.jsonl"), dataset + "\n", Ct);

        var run = await SubmitAndWaitAsync(gateway, $"""
            name: nightly-eval
            priority: batch
            workdir: {work}
            steps:
              - id: eval
                evaluate:
                  dataset: tell.jsonl
                  models: [stories, noise]
                  metric: tell-v1
                  score: exact
                  max_tokens: 6
                  output: scored.jsonl
            """);
        Assert.Equal("succeeded", run.GetProperty("state").GetString());

        var stories = (await gateway.GetJsonAsync("/api/models/stories/quality")).GetProperty("latest")[0];
        Assert.Equal(("tell-v1", 0.5, 4, "tell.jsonl"), (stories.GetProperty("metric").GetString(), stories.GetProperty("score").GetDouble(), stories.GetProperty("count").GetInt32(), stories.GetProperty("dataset").GetString()));
        Assert.StartsWith($"run {run.GetProperty("id").GetString()} step eval", stories.GetProperty("source").GetString(), StringComparison.Ordinal);
        var noise = (await gateway.GetJsonAsync("/api/models/noise/quality")).GetProperty("latest")[0];
        Assert.True(noise.GetProperty("score").GetDouble() < 0.5, $"noise scored {noise}");

        var scored = await File.ReadAllLinesAsync(Path.Combine(work, "scored.jsonl"), Ct);
        Assert.Equal(8, scored.Length);
        Assert.Equal([1.0, 1.0, 0.0, 0.0], scored.Select(l => JsonDocument.Parse(l).RootElement).Where(e => e.GetProperty("model").GetString() == "stories").OrderBy(e => e.GetProperty("item").GetInt32()).Select(e => e.GetProperty("score").GetDouble()));

        using var log = await gateway.Http.GetAsync(new Uri($"/api/runs/{run.GetProperty("id").GetString()}/logs/eval", UriKind.Relative), Ct);
        var text = await log.Content.ReadAsStringAsync(Ct);
        Assert.Contains("4 items of tell.jsonl asked of stories, noise at priority batch, scored by exact", text, StringComparison.Ordinal);
        Assert.Contains("stories: score 0.5 over 4 answers", text, StringComparison.Ordinal);

        // The cheaper noise model no longer meets tell's floor: stories answers.
        using var asked = await gateway.PostAsync("/v1/chat/completions", new { model = "tell", messages = new[] { new { role = "user", content = "Once" } }, max_tokens = 2 });
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        Assert.Equal("stories", GatewayResponses.Header(asked, "X-Yard-Model"));
        Assert.StartsWith("1 of 2 meet quality 0.5 on tell-v1", GatewayResponses.Header(asked, "X-Yard-Selection"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluate_BadStepOrDataset_RefusedNamingTheFieldOrTheLine()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config, data.Path, key: "admin-key");
        using (var invalid = await gateway.Http.PostAsJsonAsync("/api/runs", new { yaml = """
            name: bad-eval
            steps:
              - id: eval
                evaluate: { dataset: d.jsonl, models: [stories, absent], metric: "a/b", score: judge, max_tokens: 0 }
            """, file = "bad.yaml" }, Ct))
        {
            var body = await invalid.Content.ReadAsStringAsync(Ct);
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
            Assert.Contains("steps[0].evaluate.models[1]: unknown model or task 'absent'", body, StringComparison.Ordinal);
            Assert.Contains("steps[0].evaluate.metric", body, StringComparison.Ordinal);
            Assert.Contains("steps[0].evaluate.judge: score: judge needs judge", body, StringComparison.Ordinal);
            Assert.Contains("steps[0].evaluate.max_tokens: must be at least 1", body, StringComparison.Ordinal);
        }

        using (var outside = await gateway.Http.PostAsJsonAsync("/api/runs", new { yaml = """
            name: outside
            steps:
              - id: eval
                evaluate: { dataset: /etc/passwd, models: [stories], metric: m, score: exact }
            """, file = "outside.yaml" }, Ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, outside.StatusCode);
            Assert.Contains("steps[0].evaluate.dataset: '/etc/passwd' is outside the folders a run may use", await outside.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        var run = await SubmitAndWaitAsync(gateway, """
            name: bad-line
            steps:
              - id: write
                run: printf '%s\n' '{"input":"Once","expected":"x"}' '{"input":"Once"}' > d.jsonl
              - id: eval
                needs: [write]
                evaluate: { dataset: d.jsonl, models: [stories], metric: m, score: exact }
            """);
        Assert.Equal("failed", run.GetProperty("state").GetString());
        var eval = run.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("id").GetString() == "eval");
        Assert.StartsWith("d.jsonl:2: expected is required", eval.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, (await gateway.GetJsonAsync("/api/models/stories/quality")).GetProperty("history").GetArrayLength());
    }

    [Fact]
    public async Task ModelEvalSample_OnAServer_QualityRecordedAndTheBestPromotedThroughTheApi()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync("""
            server: { port: 0 }
            auth: { admin_keys: [admin-key] }
            models:
              - { name: small, path: llama-2-tiny-random.gguf, slots: 2, context: 64, cost: 1 }
              - { name: large, path: stories260K.gguf, slots: 2, context: 64, cost: 5 }
            """, data.Path, key: "admin-key");
        using (var created = await gateway.PostAsync("/api/tasks", new { name = "triage", models = new[] { "small", "large" } }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        // The sample reads the server's address and an admin key from the environment; here the pipeline's env gives them.
        var sample = await File.ReadAllTextAsync(Path.Combine(SharedModels.RepositoryRoot, "samples", "pipelines", "model-eval.yaml"), Ct);
        var yaml = sample.Replace("priority: batch ", $"env: {{ YARD_URL: \"{gateway.Url.GetLeftPart(UriPartial.Authority)}\", YARD_ADMIN_KEY: admin-key }}\npriority: batch ", StringComparison.Ordinal);
        Assert.NotEqual(sample, yaml);
        var run = await SubmitAndWaitAsync(gateway, yaml);
        Assert.Equal("succeeded", run.GetProperty("state").GetString());

        var steps = run.GetProperty("steps").EnumerateArray().ToDictionary(s => s.GetProperty("id").GetString()!);
        var best = steps["eval"].GetProperty("outputs").GetProperty("best").GetString()!;
        Assert.True(best == "large", $"best {best}: {steps["eval"].GetProperty("outputs")}"); // stories260K answers "Anna, ..."; the random model does not
        Assert.Equal("succeeded", steps["promote-large"].GetProperty("state").GetString());
        Assert.Equal("skipped", steps["promote-small"].GetProperty("state").GetString());
        Assert.Equal(4, (await gateway.GetJsonAsync("/api/models/small/quality")).GetProperty("latest")[0].GetProperty("count").GetInt32());
        var large = (await gateway.GetJsonAsync("/api/models/large/quality")).GetProperty("latest")[0];
        Assert.Equal(steps["eval"].GetProperty("outputs").GetProperty("scores").GetProperty("large").GetDouble(), large.GetProperty("score").GetDouble(), 6);

        // Promoted: the next request of triage goes to large.
        Assert.Equal(["large"], (await gateway.GetJsonAsync("/api/tasks/triage")).GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        using var asked = await gateway.PostAsync("/v1/chat/completions", new { model = "triage", messages = new[] { new { role = "user", content = "Once" } }, max_tokens = 2 });
        Assert.Equal("large", GatewayResponses.Header(asked, "X-Yard-Model"));
    }

    private static async Task<JsonElement> SubmitAndWaitAsync(GatewayHarness gateway, string yaml)
    {
        using var response = await gateway.Http.PostAsJsonAsync("/api/runs", new { yaml, file = "eval.yaml" }, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (true)
        {
            var run = await gateway.GetJsonAsync($"/api/runs/{id}");
            if (run.GetProperty("state").GetString() != "running" || DateTime.UtcNow > deadline)
            {
                return run;
            }

            await Task.Delay(50, Ct);
        }
    }
}
