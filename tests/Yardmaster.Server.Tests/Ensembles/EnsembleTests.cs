using System.ClientModel;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using OpenAI.Chat;
using Yardmaster.Server.Tests.Gateway;

namespace Yardmaster.Server.Tests.Ensembles;

/// <summary>
/// Ensembles through a real gateway whose members are http models on a real loopback upstream with scripted answers and
/// delays: every combine mode, deadlines with min_members met and not met, a failing member, a streamed first; what the
/// client sees (the answer, <c>yard</c>, <c>X-Yard-Ensemble</c>) and that every member's slot is given back.
/// </summary>
public sealed class EnsembleTests(EnsembleTests.Fixture fixture) : IClassFixture<EnsembleTests.Fixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private GatewayHarness Gateway => fixture.Gateway;

    [Fact]
    public async Task CompleteChat_First_FasterMemberAnswersSlowerCancelled()
    {
        var result = await Chat("race").CompleteChatAsync([new UserChatMessage("Who wins?")], cancellationToken: Ct);

        Assert.Equal("No", result.Value.Content[0].Text);
        var yard = Yard(result);
        Assert.Equal("fast-no", yard.GetProperty("chosen").GetString());
        Assert.Equal("cancelled", Member(yard, "slow-yes").GetProperty("status").GetString());
        Assert.Equal("answered", Member(yard, "fast-no").GetProperty("status").GetString());
        Assert.Contains("chosen=fast-no", Header(result, "X-Yard-Ensemble"), StringComparison.Ordinal);
        await Gateway.AssertSettledAsync();
    }

    [Fact]
    public async Task CompleteChat_Vote_MajorityOfNormalisedTextWins()
    {
        var result = await Chat("poll").CompleteChatAsync([new UserChatMessage("Yes or no?")], cancellationToken: Ct);

        // "Yes" (a) and " YES " (b) are one answer against "No" (c): the group's first member in order answers.
        Assert.Equal("Yes", result.Value.Content[0].Text);
        var yard = Yard(result);
        Assert.Equal("vote", yard.GetProperty("combine").GetString());
        Assert.Equal("yes-a", yard.GetProperty("chosen").GetString());
        Assert.All(yard.GetProperty("members").EnumerateArray(), m => Assert.Equal("answered", m.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task CompleteChat_VoteTie_EarliestMemberInOrderWins()
    {
        var result = await Chat("tie").CompleteChatAsync([new UserChatMessage("Tie?")], cancellationToken: Ct);

        Assert.Equal("No", result.Value.Content[0].Text); // "No" is the first member even though "Yes" answered sooner
        Assert.Equal("fast-no", Yard(result).GetProperty("chosen").GetString());
    }

    [Fact]
    public async Task CompleteChat_All_OneChoicePerMemberNamed()
    {
        using var response = await PostAsync("everyone", stream: false);
        var body = await JsonAsync(response);

        var choices = body.GetProperty("choices").EnumerateArray().ToList();
        Assert.Equal(["Yes", "No"], choices.Select(c => c.GetProperty("message").GetProperty("content").GetString()));
        Assert.Equal(["yes-a", "fast-no"], choices.Select(c => c.GetProperty("yard").GetProperty("member").GetString()));
        Assert.Equal([0, 1], choices.Select(c => c.GetProperty("index").GetInt32()));
        Assert.Equal(2, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        // The official client reads the same answer (the first choice).
        var result = await Chat("everyone").CompleteChatAsync([new UserChatMessage("Everyone?")], cancellationToken: Ct);
        Assert.Equal("Yes", result.Value.Content[0].Text);
    }

    [Fact]
    public async Task CompleteChat_Judge_JudgeSeesEveryAnswerAndItsReplyIsTheAnswer()
    {
        var result = await Chat("judged").CompleteChatAsync([new UserChatMessage("Is it raining?")], cancellationToken: Ct);

        // The judge (an echo) answers with what it was asked: the question and both answers, numbered.
        var text = result.Value.Content[0].Text;
        Assert.Contains("user: Is it raining?", text, StringComparison.Ordinal);
        Assert.Contains("Answer 1:\nYes", text, StringComparison.Ordinal);
        Assert.Contains("Answer 2:\nNo", text, StringComparison.Ordinal);
        var yard = Yard(result);
        Assert.Equal("judge", yard.GetProperty("chosen").GetString());
        Assert.Equal("answered", yard.GetProperty("judge").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Post_DeadlineWithMinMembersMet_AnswersAtDeadlineWithLateMember()
    {
        var clock = Stopwatch.StartNew();
        using var response = await PostAsync("quorum", stream: false);
        var elapsed = clock.Elapsed;
        var body = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Yes", body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        var yard = body.GetProperty("yard");
        Assert.Equal("late", Member(yard, "hang").GetProperty("status").GetString());
        Assert.Contains("late=hang", response.Headers.GetValues("X-Yard-Ensemble").Single(), StringComparison.Ordinal);
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(5)); // at the 500 ms deadline, not the 30 s member
        await Gateway.AssertSettledAsync();
        await WaitAsync(() => fixture.Upstream.Active == 0, "the late member's upstream request to be cancelled");
    }

    [Fact]
    public async Task Post_DeadlineWithMinMembersNotMet_504NamingTheLateMembers()
    {
        using var response = await PostAsync("strict", stream: false);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        using var error = JsonDocument.Parse(text);
        Assert.Equal("deadline_exceeded", error.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("1 of 3 members answered before the deadline, fewer than min_members 2", text, StringComparison.Ordinal);
        Assert.Equal("answered=yes-a; late=hang,hang-too; failed=; cancelled=", response.Headers.GetValues("X-Yard-Ensemble").Single());
        await Gateway.AssertSettledAsync();
    }

    [Fact]
    public async Task Post_FailingMember_AnsweredByTheOthersWithTheFailureNamed()
    {
        using var response = await PostAsync("shaky", stream: false);
        var body = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var broken = Member(body.GetProperty("yard"), "broken");
        Assert.Equal("failed", broken.GetProperty("status").GetString());
        Assert.Contains("scripted failure", broken.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Single(body.GetProperty("choices").EnumerateArray());
        Assert.Contains("failed=broken", response.Headers.GetValues("X-Yard-Ensemble").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompleteChatStreaming_First_WinnerStreamedLoserCancelled()
    {
        var text = new StringBuilder();
        await foreach (var update in Chat("race").CompleteChatStreamingAsync([new UserChatMessage("Stream the winner")], cancellationToken: Ct))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
        }

        Assert.Equal("No", text.ToString());
        var stats = await Gateway.WaitForStatsAsync(s => Members(s, "race").GetProperty("slow-yes").GetProperty("cancelled").GetInt64() >= 1, "the loser counted as cancelled");
        Assert.True(Members(stats, "race").GetProperty("fast-no").GetProperty("chosen").GetInt64() >= 1);
        await Gateway.AssertSettledAsync();
    }

    [Fact]
    public async Task Post_EnsembleOfAnEnsemble_InnerAnsweredAsOneMember()
    {
        using var response = await PostAsync("nest", stream: false);
        var body = await JsonAsync(response);

        var choices = body.GetProperty("choices").EnumerateArray().ToList();
        Assert.Equal(["Yes", "No"], choices.Select(c => c.GetProperty("message").GetProperty("content").GetString()));
        Assert.Equal(["poll", "fast-no"], choices.Select(c => c.GetProperty("yard").GetProperty("member").GetString()));
        Assert.Equal("yes-a", choices[0].GetProperty("yard").GetProperty("model").GetString());
        await Gateway.AssertSettledAsync();
    }

    [Fact]
    public async Task Post_EnsembleAtItsMaxConcurrency_429WhileBusyThenServed()
    {
        // In progress until its 8 s deadline (hang never answers in time): long enough that the two requests below, on a
        // loaded machine, still arrive while it runs (with 3 s, a clean-clone CI run saw the second one admitted).
        var first = PostAsync("single", stream: false);
        await WaitAsync(() => fixture.Upstream.Active > 0, "the first request's members to be called");

        using (var refused = await PostAsync("single", stream: false))
        {
            var text = await refused.Content.ReadAsStringAsync(Ct);
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Contains("\"code\":\"concurrency_limit\"", text, StringComparison.Ordinal);
            Assert.Contains("task 'single' already has 1 requests in progress, its max_concurrency", text, StringComparison.Ordinal);
            Assert.True(refused.Headers.Contains("Retry-After"));
        }

        // As a member of another ensemble, the busy ensemble is a failed member, not a wait.
        using (var around = await PostAsync("around-single", stream: false))
        {
            var yard = (await JsonAsync(around)).GetProperty("yard");
            Assert.Equal("failed", Member(yard, "single").GetProperty("status").GetString());
            Assert.Contains("max_concurrency", Member(yard, "single").GetProperty("error").GetString(), StringComparison.Ordinal);
            Assert.Equal("answered", Member(yard, "fast-no").GetProperty("status").GetString());
        }

        using (var answered = await first)
        {
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        }

        using var again = await PostAsync("single", stream: false); // the admission was given back
        Assert.Equal("yes-a", (await JsonAsync(again)).GetProperty("choices")[0].GetProperty("yard").GetProperty("member").GetString());
        await Gateway.AssertSettledAsync();
    }

    [Fact]
    public async Task PostEmbeddings_EnsembleTask_400NamingModel()
    {
        using var response = await Gateway.PostAsync("/v1/embeddings", new { model = "poll", input = "a sentence" });
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var error = JsonDocument.Parse(text);
        Assert.Equal("model", error.RootElement.GetProperty("error").GetProperty("param").GetString());
        Assert.Contains("task 'poll' is an ensemble", text, StringComparison.Ordinal);
        Assert.Equal(0, fixture.Upstream.Active);
        await Gateway.AssertSettledAsync();
    }

    [Fact]
    public async Task Post_StreamWithVote_400NamingStream()
    {
        using var response = await PostAsync("poll", stream: true);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("only combine: first can stream", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_AfterRequests_PerEnsembleAndPerMember()
    {
        await Chat("poll").CompleteChatAsync([new UserChatMessage("Count me")], cancellationToken: Ct);

        var stats = await Gateway.StatsAsync();
        var poll = stats.GetProperty("ensembles").GetProperty("poll");
        Assert.True(poll.GetProperty("answered").GetInt64() >= 1);
        Assert.True(poll.GetProperty("members").GetProperty("no-c").GetProperty("answered").GetInt64() >= 1);
        Assert.True(stats.GetProperty("tasks").GetProperty("poll").GetProperty("outcomes").GetProperty("completed").GetInt64() >= 1);
        using var metrics = await Gateway.Http.GetAsync("/metrics", Ct);
        var scrape = new Observability.PrometheusText(await metrics.Content.ReadAsStringAsync(Ct));
        Assert.True(scrape.Sum("yard_ensemble_requests_total", ("task", "poll"), ("outcome", "answered")) >= 1);
        Assert.True(scrape.Sum("yard_ensemble_member_calls_total", ("task", "poll"), ("member", "no-c"), ("status", "answered")) >= 1);
    }

    [Fact]
    public async Task Api_EnsembleTaskCreatedThenServed_ReadBackWithItsEnsembleAndCache()
    {
        using var created = await Gateway.PostAsync("/api/tasks", new { name = "api-poll", cache = new { ttl = "1m" }, ensemble = new { members = new[] { "yes-a", "no-c" }, combine = "all" } });
        var text = await created.Content.ReadAsStringAsync(Ct);
        Assert.True(created.IsSuccessStatusCode, text);

        var read = await Gateway.GetJsonAsync("/api/tasks/api-poll");
        Assert.Equal("all", read.GetProperty("ensemble").GetProperty("combine").GetString());
        Assert.Equal("1m", read.GetProperty("cache").GetProperty("ttl").GetString());
        using var response = await PostAsync("api-poll", stream: false);
        Assert.Equal(2, (await JsonAsync(response)).GetProperty("choices").GetArrayLength());
    }

    [Theory]
    [InlineData("""{"name":"bad1","ensemble":{"members":["yes-a","nope"]}}""", "ensemble.members[1]: 'nope' is neither a declared model nor a task")]
    [InlineData("""{"name":"bad2","ensemble":{"members":["yes-a","bad2"]}}""", "ensemble.members[1]: 'bad2' is the ensemble itself")]
    [InlineData("""{"name":"bad3","ensemble":{"members":["yes-a"],"combine":"judge"}}""", "ensemble.judge: combine: judge needs a judge")]
    [InlineData("""{"name":"bad4","ensemble":{"members":["yes-a"],"min_members":2}}""", "ensemble.min_members: must be between 1 and the number of members (1) (was 2)")]
    [InlineData("""{"name":"bad5","models":["yes-a"],"cache":{"max_bytes":10}}""", "cache.max_bytes: must be at least 1KiB (was 10 bytes)")]
    public async Task Api_BadEnsembleOrCache_400NamingTheField(string json, string expected)
    {
        using var response = await Gateway.SendAsync("/api/tasks", new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, text, StringComparison.Ordinal);
    }

    private ChatClient Chat(string task) => Gateway.OpenAi().GetChatClient(task);


    private async Task<HttpResponseMessage> PostAsync(string task, bool stream)
    {
        var response = await Gateway.PostAsync("/v1/chat/completions", new { model = task, stream, messages = new[] { new { role = "user", content = "Question" } } });
        await response.Content.LoadIntoBufferAsync(Ct);
        return response;
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement;
    }

    private static JsonElement Yard(ClientResult<ChatCompletion> result) =>
        JsonDocument.Parse(result.GetRawResponse().Content.ToString()).RootElement.GetProperty("yard");

    private static JsonElement Member(JsonElement yard, string name) =>
        yard.GetProperty("members").EnumerateArray().Single(m => m.GetProperty("name").GetString() == name);

    private static JsonElement Members(JsonElement stats, string ensemble) =>
        stats.GetProperty("ensembles").TryGetProperty(ensemble, out var e) ? e.GetProperty("members") : JsonDocument.Parse("""{"slow-yes":{"cancelled":0},"fast-no":{"chosen":0}}""").RootElement;

    private static string Header<T>(ClientResult<T> result, string name) =>
        result.GetRawResponse().Headers.TryGetValue(name, out var value) ? value! : string.Empty;

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), $"timed out waiting for {what}");
            await Task.Delay(20, Ct);
        }
    }

    public sealed class Fixture : IAsyncLifetime
    {
        private readonly TempDirectory _data = new();

        public GatewayHarness Gateway { get; private set; } = null!;

        public ScriptedUpstream Upstream { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            Upstream = await ScriptedUpstream.StartAsync();
            string Model(string name, string script) => $"  - {{ name: {name}, backend: http, url: {Upstream.Url}, upstream_model: \"{script}\", slots: 8, memory: 1MiB }}\n";
            var yaml = "server: { port: 0 }\nmodels:\n"
                + Model("slow-yes", "Yes-400") + Model("fast-no", "No-20") + Model("yes-a", "Yes-10") + Model("yes-b", " YES -30") + Model("no-c", "No-5")
                + Model("quick-yes", "Yes-0") + Model("hang", "Yes-30000") + Model("hang-too", "Yes-30000") + Model("broken", "fail-0") + Model("judge", "echo-0")
                + """
                tasks:
                  - { name: race, ensemble: { members: [slow-yes, fast-no], combine: first } }
                  - { name: poll, ensemble: { members: [yes-a, yes-b, no-c], combine: vote } }
                  - { name: tie, ensemble: { members: [fast-no, quick-yes], combine: vote } }
                  - { name: everyone, ensemble: { members: [yes-a, fast-no], combine: all } }
                  - { name: judged, ensemble: { members: [yes-a, fast-no], combine: judge, judge: judge } }
                  - { name: quorum, slo: { latency: 500ms }, ensemble: { members: [yes-a, yes-b, hang], combine: vote, min_members: 2 } }
                  - { name: strict, slo: { latency: 400ms }, ensemble: { members: [yes-a, hang, hang-too], combine: vote, min_members: 2 } }
                  - { name: shaky, ensemble: { members: [broken, yes-a], combine: all } }
                  - { name: nest, ensemble: { members: [poll, fast-no], combine: all } }
                  - { name: single, max_concurrency: 1, slo: { latency: 8s }, ensemble: { members: [hang, yes-a], combine: all, min_members: 1 } }
                  - { name: around-single, ensemble: { members: [single, fast-no], combine: all } }
                """;
            Gateway = await GatewayHarness.StartAsync(yaml, _data.Path);
        }

        public async ValueTask DisposeAsync()
        {
            await Gateway.DisposeAsync();
            await Upstream.DisposeAsync();
            _data.Dispose();
        }
    }
}
