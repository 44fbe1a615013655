using System.Net;
using static Yardmaster.Server.Tests.Gateway.GatewayResponses;

namespace Yardmaster.Server.Tests.Gateway;

/// <summary>Tasks and models made through /api are served at once and, kept in the SQLite store, after a restart.</summary>
public sealed class GatewayRegistryTests
{
    // model_dirs: the shared models folder (relative paths resolve against it here), where the API's model lives.
    private const string Config = """
        server: { port: 0, model_dirs: [.] }
        models:
          - { name: from-file, path: stories260K.gguf, slots: 1, context: 64 }
        """;

    private const string Keyed = Config + "\nauth: { admin_keys: [admin-key] }\n";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ApiTaskAndModel_Created_ServedAndSurviveRestart()
    {
        using var data = new TempDirectory();
        await using (var gateway = await GatewayHarness.StartAsync(Config, data.Path))
        {
            using (var created = await gateway.PostAsync("/api/models", new { name = "api-model", backend = "builtin", path = SharedModels.Stories260K, slots = 2, context = 64 }))
            {
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                Assert.False((await JsonAsync(created)).GetProperty("from_config").GetBoolean());
            }

            using (var created = await gateway.PostAsync("/api/tasks", new { name = "api-task", priority = "high", models = new[] { "api-model" }, max_concurrency = 8 }))
            {
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            }

            using (var duplicate = await gateway.PostAsync("/api/tasks", new { name = "api-task", models = new[] { "api-model" } }))
            {
                await AssertProblemAsync(duplicate, HttpStatusCode.Conflict);
            }

            await AssertServedAsync(gateway);
        }

        await using (var restarted = await GatewayHarness.StartAsync(Config, data.Path))
        {
            var task = await restarted.GetJsonAsync("/api/tasks/api-task");
            Assert.Equal("high", task.GetProperty("priority").GetString());
            Assert.Equal(8, task.GetProperty("max_concurrency").GetInt32());
            var model = await restarted.GetJsonAsync("/api/models/api-model");
            Assert.Equal(2, model.GetProperty("slots").GetInt32());
            var listed = (await restarted.GetJsonAsync("/v1/models")).GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();
            Assert.Equal(["api-task", "api-model", "from-file"], listed);

            await AssertServedAsync(restarted);

            // The config file's model is still the config file's after the restart.
            using (var refused = await restarted.SendEmptyAsync(HttpMethod.Delete, "/api/models/from-file"))
            {
                await AssertProblemAsync(refused, HttpStatusCode.Conflict);
            }

            // And removed through the API, it stays removed.
            using (var deleted = await restarted.SendEmptyAsync(HttpMethod.Delete, "/api/tasks/api-task"))
            {
                Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
            }
        }

        await using var third = await GatewayHarness.StartAsync(Config, data.Path);
        using var gone = await third.PostAsync("/v1/chat/completions", new { model = "api-task", messages = new[] { new { role = "user", content = "Hi" } } });
        await AssertOpenAiErrorAsync(gone, HttpStatusCode.NotFound);
        using var served = await third.PostAsync("/v1/completions", new { model = "api-model", prompt = "Once", max_tokens = 2 });
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task ApiModel_FileMissingOrNotGguf_400NamingPathAndNothingStored()
    {
        using var data = new TempDirectory();
        var models = Directory.CreateDirectory(Path.Combine(data.Path, "models")).FullName;
        var notes = Path.Combine(models, "notes.gguf");
        await File.WriteAllTextAsync(notes, "not a model", Ct);
        await using var gateway = await GatewayHarness.StartAsync(Keyed, data.Path, "admin-key");

        foreach (var (path, why) in new[] { (Path.Combine(models, "gone.gguf"), "does not exist"), (notes, "is not a GGUF file (it does not start with 'GGUF')") })
        {
            using var refused = await gateway.PostAsync("/api/models", new { name = "bad", backend = "builtin", path, slots = 1 });
            var problem = await AssertProblemAsync(refused, HttpStatusCode.BadRequest);
            Assert.Equal([$"path: {path} {why}"], problem.GetProperty("errors").EnumerateArray().Select(e => e.GetString()));
        }

        using var absent = await gateway.Http.GetAsync("/api/models/bad", Ct);
        Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);
    }

    [Fact]
    public async Task ApiModel_FileGoneBeforeRestart_RequestsRefusedNamingTheFileNotTheMemoryBudget()
    {
        using var data = new TempDirectory();
        var models = Directory.CreateDirectory(Path.Combine(data.Path, "models")).FullName;
        var file = Path.Combine(models, "copy.gguf");
        File.Copy(SharedModels.Stories260K, file);
        var config = Keyed.Replace("model_dirs: [.]", $"model_dirs: [., \"{models}\"]", StringComparison.Ordinal);
        await using (var gateway = await GatewayHarness.StartAsync(config, data.Path, "admin-key"))
        {
            using var created = await gateway.PostAsync("/api/models", new { name = "copy", backend = "builtin", path = file, slots = 1, context = 64 });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        File.Delete(file);
        await using var restarted = await GatewayHarness.StartAsync(config, data.Path, "admin-key");

        using var refused = await restarted.PostAsync("/v1/completions", new { model = "copy", prompt = "Once", max_tokens = 2 });
        var error = await AssertOpenAiErrorAsync(refused, HttpStatusCode.ServiceUnavailable);
        Assert.Contains($"'copy' cannot load: {file} does not exist", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        var status = (await restarted.GetJsonAsync("/api/models/copy")).GetProperty("status");
        Assert.Equal($"{file} does not exist", status.GetProperty("blocked").GetString());
    }

    private static async Task AssertServedAsync(GatewayHarness gateway)
    {
        using var response = await gateway.PostAsync("/v1/chat/completions", new { model = "api-task", messages = new[] { new { role = "user", content = "Hi" } }, max_tokens = 3 });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("api-model", Header(response, "X-Yard-Model"));
        Assert.Equal(3, (await JsonAsync(response)).GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        await gateway.AssertSettledAsync();
    }
}
