using System.Net;
using System.Text;
using static Yardmaster.Server.Tests.Gateway.GatewayResponses;

namespace Yardmaster.Server.Tests.Gateway;

/// <summary>Every bad input gets its status and OpenAI's error shape (problem details on /api), and leaves the slot accounting at zero.</summary>
public sealed class GatewayBadInputTests(GatewayBadInputTests.Fixture fixture) : IClassFixture<GatewayBadInputTests.Fixture>
{
    private static readonly object[] _hello = [new { role = "user", content = "Hello" }];

    private GatewayHarness Gateway => fixture.Gateway;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Chat_InvalidJson_400()
    {
        using var response = await Gateway.SendAsync("/v1/chat/completions", new StringContent("{\"model\": \"chat\", ", Encoding.UTF8, "application/json"));
        var error = await AssertOpenAiErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("not valid JSON", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        await Gateway.AssertSettledAsync();
    }

    [Fact]
    public async Task Chat_MissingModel_400NamingModel()
    {
        using var response = await Gateway.PostAsync("/v1/chat/completions", new { messages = _hello });
        var error = await AssertOpenAiErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("model", error.GetProperty("param").GetString());
        await Gateway.AssertSettledAsync();
    }

    [Fact]
    public async Task Chat_UnknownModel_404NamingTasksAndModels()
    {
        using var response = await Gateway.PostAsync("/v1/chat/completions", new { model = "gpt-4o", messages = _hello });
        var error = await AssertOpenAiErrorAsync(response, HttpStatusCode.NotFound);
        var message = error.GetProperty("message").GetString()!;
        Assert.Contains("gpt-4o", message, StringComparison.Ordinal);
        Assert.Contains("tasks: chat, low-only, rated, single", message, StringComparison.Ordinal);
        Assert.Contains("models: stories", message, StringComparison.Ordinal);
        Assert.Equal("model_not_found", error.GetProperty("code").GetString());
        await Gateway.AssertSettledAsync();
    }

    [Fact]
    public async Task Chat_MissingMessages_400()
    {
        using var response = await Gateway.PostAsync("/v1/chat/completions", new { model = "chat" });
        var error = await AssertOpenAiErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("messages", error.GetProperty("param").GetString());
        await Gateway.AssertSettledAsync();
    }

    [Fact]
    public async Task Chat_MaxTokensZero_400()
    {
        using var response = await Gateway.PostAsync("/v1/chat/completions", new { model = "chat", messages = _hello, max_tokens = 0 });
        var error = await AssertOpenAiErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("max_tokens", error.GetProperty("param").GetString());
        await Gateway.AssertSettledAsync();
    }

    [Fact]
    public async Task Chat_BodyOverMaxBody_413()
    {
        var padding = new string('x', 9000);
        using var response = await Gateway.PostAsync("/v1/chat/completions", new { model = "chat", messages = _hello, padding });
        var error = await AssertOpenAiErrorAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("8192 bytes", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        await Gateway.AssertSettledAsync();
    }

    [Fact]
    public async Task Chat_DeclaredLengthOverMaxBody_413()
    {
        var body = $$"""{"model": "chat", "messages": [{"role": "user", "content": "Hello"}], "padding": "{{new string('x', 9000)}}"}""";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await Gateway.SendAsync("/v1/chat/completions", content);
        var error = await AssertOpenAiErrorAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("request_too_large", error.GetProperty("code").GetString());
        await Gateway.AssertSettledAsync();
    }

    [Fact]
    public async Task Chat_PromptOverMaxPromptChars_413()
    {
        using var response = await Gateway.PostAsync("/v1/chat/completions", new { model = "chat", messages = new[] { new { role = "user", content = new string('a', 1500) } } });
        var error = await AssertOpenAiErrorAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("prompt_too_large", error.GetProperty("code").GetString());
        await Gateway.AssertSettledAsync();
    }

    [Fact]
    public async Task Chat_PriorityAboveTasks_403()
    {
        using var response = await Gateway.PostAsync("/v1/chat/completions", new { model = "low-only", messages = _hello, max_tokens = 2 }, ("X-Yard-Priority", "high"));
        var error = await AssertOpenAiErrorAsync(response, HttpStatusCode.Forbidden);
        Assert.Equal("X-Yard-Priority", error.GetProperty("param").GetString());
        await Gateway.AssertSettledAsync();
    }

    [Fact]
    public async Task Chat_PriorityBelowTasks_Served()
    {
        using var response = await Gateway.PostAsync("/v1/chat/completions", new { model = "chat", messages = _hello, max_tokens = 2 }, ("X-Yard-Priority", "batch"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Gateway.AssertSettledAsync();
    }

    [Theory]
    [InlineData("X-Yard-Priority", "urgent")]
    [InlineData("X-Yard-Deadline-Ms", "soon")]
    [InlineData("X-Yard-Deadline-Ms", "0")]
    [InlineData("X-Yard-Deadline-Ms", "-5")]
    public async Task Chat_BadHeader_400NamingHeader(string header, string value)
    {
        using var response = await Gateway.PostAsync("/v1/chat/completions", new { model = "chat", messages = _hello, max_tokens = 2 }, (header, value));
        var error = await AssertOpenAiErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(header, error.GetProperty("param").GetString());
        await Gateway.AssertSettledAsync();
    }

    [Fact]
    public async Task Chat_DeadlineTooShort_RefusedWith503Or504()
    {
        using (var warm = await Gateway.PostAsync("/v1/chat/completions", new { model = "chat", messages = _hello, max_tokens = 4 }))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode); // a measured service time to predict with
        }

        using var response = await Gateway.PostAsync("/v1/chat/completions", new { model = "chat", messages = _hello, max_tokens = 64 }, ("X-Yard-Deadline-Ms", "1"));
        Assert.True(response.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout, $"got {(int)response.StatusCode}");
        var error = await AssertOpenAiErrorAsync(response, response.StatusCode);
        Assert.Contains("deadline", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        await Gateway.AssertSettledAsync();
    }

    [Fact]
    public async Task Chat_OverRate_429WithRetryAfter()
    {
        using (var first = await Gateway.PostAsync("/v1/chat/completions", new { model = "rated", messages = _hello, max_tokens = 2 }))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using var second = await Gateway.PostAsync("/v1/chat/completions", new { model = "rated", messages = _hello, max_tokens = 2 });
        var error = await AssertOpenAiErrorAsync(second, HttpStatusCode.TooManyRequests);
        Assert.Equal("rate_limit", error.GetProperty("code").GetString());
        Assert.True(second.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {second.Headers.RetryAfter}");
        await Gateway.AssertSettledAsync();
    }

    [Fact]
    public async Task Chat_OverMaxConcurrency_429ThenFreedWhenTheFirstLeaves()
    {
        var endless = new { model = "single", prompt = "Once", max_tokens = 1900, ignore_eos = true, stream = true };
        using (var running = await Gateway.PostAsync("/v1/completions", endless))
        {
            Assert.Equal(HttpStatusCode.OK, running.StatusCode);
            using var reader = new StreamReader(await running.Content.ReadAsStreamAsync(Ct));
            Assert.StartsWith("data: ", await reader.ReadLineAsync(Ct), StringComparison.Ordinal);

            using var second = await Gateway.PostAsync("/v1/completions", new { model = "single", prompt = "Once", max_tokens = 2 });
            var error = await AssertOpenAiErrorAsync(second, HttpStatusCode.TooManyRequests);
            Assert.Equal("concurrency_limit", error.GetProperty("code").GetString());
            Assert.NotNull(second.Headers.RetryAfter);
        }

        // The client left: its slot and admission are freed, and the backend stopped. The outcome is counted when the
        // request's handler ends, which may be just after its slot is free.
        var stats = await Gateway.WaitForStatsAsync(
            s => GatewayHarness.IsSettled(s) && s.GetProperty("tasks").GetProperty("single").GetProperty("outcomes").TryGetProperty("cancelled", out var n) && n.GetInt32() > 0,
            "the slot accounting returning to zero and the request counted as cancelled");
        var single = stats.GetProperty("tasks").GetProperty("single");
        Assert.Equal(1, single.GetProperty("outcomes").GetProperty("cancelled").GetInt32());
        Assert.True(single.GetProperty("tokens_out").GetInt32() < 1900, single.ToString());
        using var third = await Gateway.PostAsync("/v1/completions", new { model = "single", prompt = "Once", max_tokens = 2 });
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        await Gateway.AssertSettledAsync();
    }

    [Fact]
    public async Task ApiTasks_InvalidTask_400ListingEveryError()
    {
        using var response = await Gateway.PostAsync("/api/tasks", new { name = "bad name!", priority = "urgent", models = new[] { "nope" }, max_concurrency = 0 });
        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.True(errors.Count >= 2, string.Join(" | ", errors));
        Assert.Contains(errors, e => e.Contains("priority", StringComparison.Ordinal));
        await Gateway.AssertSettledAsync();
    }

    [Fact]
    public async Task ApiModels_ProcessBackend_403AndNotStored()
    {
        using var response = await Gateway.PostAsync("/api/models", new { name = "evil", backend = "process", command = "sh -c 'echo owned' {port}", path = SharedModels.Stories260K });
        await AssertProblemAsync(response, HttpStatusCode.Forbidden);
        using var lookup = await Gateway.Http.GetAsync("/api/models/evil", Ct);
        await AssertProblemAsync(lookup, HttpStatusCode.NotFound);
        await Gateway.AssertSettledAsync();
    }

    [Fact]
    public async Task ApiTasks_DeleteConfigFileTask_409AndStillServed()
    {
        using var response = await Gateway.SendEmptyAsync(HttpMethod.Delete, "/api/tasks/chat");
        var problem = await AssertProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Contains("config file", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var task = await Gateway.GetJsonAsync("/api/tasks/chat");
        Assert.Equal("chat", task.GetProperty("name").GetString());
        await Gateway.AssertSettledAsync();
    }

    public sealed class Fixture : GatewayFixture
    {
        protected override string Yaml => """
            server: { port: 0, max_body: 8KiB, max_prompt_chars: 1000 }
            models:
              - { name: stories, path: stories260K.gguf, slots: 2, context: 2048 }
            tasks:
              - { name: chat, priority: high, models: [stories] }
              - { name: low-only, priority: low, models: [stories] }
              - { name: rated, models: [stories], rate: { rate: 1/h, burst: 1 } }
              - { name: single, models: [stories], max_concurrency: 1 }
            """;
    }
}
