using System.Net;
using System.Text.Json;
using static Yardmaster.Server.Tests.Gateway.GatewayResponses;

namespace Yardmaster.Server.Tests.Gateway;

/// <summary>
/// Paths and names a client sends to a real <c>yard serve</c> stay where they may: API models name files only in the
/// model folders, a pipeline's workdir and inference files stay in the run's folder or <c>jobs.allowed_dirs</c>
/// (symbolic links resolved, at submission and again before each attempt), names used in URLs have no '/' or '..'.
/// </summary>
public sealed class GatewayClosedPathsTests(GatewayClosedPathsTests.Fixture fixture) : IClassFixture<GatewayClosedPathsTests.Fixture>
{
    private const string AdminKey = "paths-admin-key";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PostModels_PathOutsideTheModelFolders_400NamingPath()
    {
        using var response = await fixture.Gateway.PostAsync("/api/models", new { name = "outside", backend = "builtin", path = SharedModels.Stories260K, slots = 1, context = 64 });

        var error = Assert.Single(await ErrorsAsync(response));
        Assert.StartsWith($"path: '{SharedModels.Stories260K}' is outside the folders a model made through the API may use (", error, StringComparison.Ordinal);
        Assert.Contains(fixture.ModelDir.Path, error, StringComparison.Ordinal);
        Assert.EndsWith("list its folder in server.model_dirs", error, StringComparison.Ordinal);
        await AssertNoModelAsync("outside");
    }

    [Fact]
    public async Task PostModels_SymbolicLinkInAModelFolderLeadingOutside_400NamingPath()
    {
        var link = fixture.ModelDir.File("linked.gguf");
        File.CreateSymbolicLink(link, SharedModels.Stories260K);

        using var response = await fixture.Gateway.PostAsync("/api/models", new { name = "linked", backend = "builtin", path = link, slots = 1, context = 64 });

        Assert.StartsWith($"path: '{link}' is outside the folders", Assert.Single(await ErrorsAsync(response)), StringComparison.Ordinal);
        await AssertNoModelAsync("linked");
    }

    [Fact]
    public async Task PostModels_FileInAModelFolder_Created()
    {
        var copy = fixture.ModelDir.File("copy.gguf");
        File.Copy(SharedModels.Stories260K, copy);

        using var response = await fixture.Gateway.PostAsync("/api/models", new { name = "copied", backend = "builtin", path = copy, slots = 1, context = 64 });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(copy, (await fixture.Gateway.GetJsonAsync("/api/models/copied")).GetProperty("path").GetString());
    }

    [Theory]
    [InlineData("/api/models", "org/model")]
    [InlineData("/api/models", "..")]
    [InlineData("/api/tasks", "a/../b")]
    [InlineData("/api/tasks", "a..b")]
    public async Task PostModelsOrTasks_NameNotAUrlSegment_400NamingName(string route, string name)
    {
        object body = route == "/api/models"
            ? new { name, backend = "http", url = "http://127.0.0.1:9/v1" }
            : new { name, models = new[] { "stories" } };

        using var response = await fixture.Gateway.PostAsync(route, body);

        var error = Assert.Single(await ErrorsAsync(response));
        Assert.StartsWith("name: '", error, StringComparison.Ordinal);
        Assert.EndsWith("is not a valid name; use letters, digits and . _ : - (no '/', '..' or control characters: names are used in URLs)", error, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> RefusedPipelines() => new()
    {
        { "name: a/b\nsteps:\n  - id: x\n    run: \"true\"\n", "name", "'a/b' is not a valid name" },
        { "name: p\nsteps:\n  - id: a/../b\n    run: \"true\"\n", "steps[0].id", "'a/../b' is not a valid step id" },
        { "name: p\nsteps:\n  - id: x\n    run: \"true\"\n    env: { X: \"before\\0after\" }\n", "steps[0].env.X", "the value contains a NUL character" },
        { "name: p\nworkdir: /etc\nsteps:\n  - id: x\n    run: \"true\"\n", "workdir", "'/etc' is outside the folders a run may use; a run uses its own folder (DATA/runs/RUN) and " },
        { "name: p\nsteps:\n  - id: x\n    inference: { task: chat, input: /etc/passwd, output: out.jsonl }\n", "steps[0].inference.input", "'/etc/passwd' is outside the folders a run may use" },
        { "name: p\nsteps:\n  - id: x\n    inference: { task: chat, input: in.jsonl, output: ../../../escape.jsonl }\n", "steps[0].inference.output", "'../../../escape.jsonl' is outside the folders a run may use" },
    };

    [Theory]
    [MemberData(nameof(RefusedPipelines))]
    public async Task PostRuns_PathOrNameNotAllowed_400NamingTheField(string yaml, string field, string message)
    {
        using var response = await fixture.Gateway.PostAsync("/api/runs", new { yaml, file = "/etc/refused.yaml" });

        var error = Assert.Single(await ErrorsAsync(response));
        Assert.StartsWith("/etc/refused.yaml:", error, StringComparison.Ordinal);
        Assert.Contains($": {field}: {message}", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostRuns_WorkdirInAnAllowedFolder_RunsThere()
    {
        var workdir = Directory.CreateDirectory(fixture.Allowed.File("allowed-run")).FullName;

        var run = await SubmitAndWaitAsync($"name: allowed\nworkdir: {workdir}\nsteps:\n  - id: x\n    run: echo here > here.txt\n");

        Assert.Equal("succeeded", run.GetProperty("state").GetString());
        Assert.Equal("here\n", await File.ReadAllTextAsync(Path.Combine(workdir, "here.txt"), Ct));
    }

    [Fact]
    public async Task PostRuns_WorkdirSwappedForALinkOutsideMidRun_NextStepRefusedAtStart()
    {
        var workdir = Directory.CreateDirectory(fixture.Allowed.File("swapped")).FullName;
        using var outside = new TempDirectory();

        var run = await SubmitAndWaitAsync($"""
            name: swapped
            workdir: {workdir}
            steps:
              - id: swap
                run: cd .. && mv swapped swapped.old && ln -s {outside.Path} swapped
              - id: write
                needs: [swap]
                run: echo escaped > escaped.txt
            """);

        Assert.Equal("failed", run.GetProperty("state").GetString());
        Assert.Contains($"the working directory '{workdir}' leads outside the folders a run may use (a symbolic link?)", Step(run, "write").GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(outside.Path, "escaped.txt")));
    }

    [Fact]
    public async Task PostRuns_InferenceInputMadeALinkOutside_StepRefusedAtStart()
    {
        var run = await SubmitAndWaitAsync("""
            name: linked-input
            steps:
              - id: link
                run: ln -s /etc/hostname requests.jsonl
              - id: ask
                needs: [link]
                inference: { task: chat, input: requests.jsonl, output: answers.jsonl }
            """);

        Assert.Equal("failed", run.GetProperty("state").GetString());
        Assert.Contains("inference.input 'requests.jsonl' leads outside the folders a run may use (a symbolic link?)", Step(run, "ask").GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    private static JsonElement Step(JsonElement run, string id) => run.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("id").GetString() == id);

    private static async Task<List<string>> ErrorsAsync(HttpResponseMessage response)
    {
        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        return [.. problem.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!)];
    }

    private async Task AssertNoModelAsync(string name)
    {
        using var lookup = await fixture.Gateway.Http.GetAsync($"/api/models/{name}", Ct);
        Assert.Equal(HttpStatusCode.NotFound, lookup.StatusCode);
    }

    private async Task<JsonElement> SubmitAndWaitAsync(string yaml)
    {
        using var response = await fixture.Gateway.PostAsync("/api/runs", new { yaml, file = "test.yaml" });
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var run = await fixture.Gateway.GetJsonAsync($"/api/runs/{id}");
            if (run.GetProperty("state").GetString() != "running")
            {
                return run;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"run {id} did not end within 60 s");
            await Task.Delay(50, Ct);
        }
    }

    /// <summary>A gateway whose model folder and allowed pipeline folder are fresh temp folders.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        private readonly TempDirectory _data = new();

        public TempDirectory ModelDir { get; } = new();

        public TempDirectory Allowed { get; } = new();

        public GatewayHarness Gateway { get; private set; } = null!;

        public async ValueTask InitializeAsync() => Gateway = await GatewayHarness.StartAsync($$"""
            server: { port: 0, model_dirs: [{{ModelDir.Path}}] }
            auth: { admin_keys: [{{AdminKey}}] }
            jobs: { stop_grace: 1s, allowed_dirs: [{{Allowed.Path}}] }
            models:
              - { name: stories, path: stories260K.gguf, slots: 1, context: 64 }
            tasks:
              - { name: chat, models: [stories] }
            """, _data.Path, AdminKey);

        public async ValueTask DisposeAsync()
        {
            await Gateway.DisposeAsync();
            _data.Dispose();
            ModelDir.Dispose();
            Allowed.Dispose();
        }
    }
}
