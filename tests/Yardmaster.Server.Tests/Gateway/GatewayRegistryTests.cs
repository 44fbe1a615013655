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
            using (var refused = await restarted.Http.DeleteAsync("/api/models/from-file", Ct))
            {
                await AssertProblemAsync(refused, HttpStatusCode.Conflict);
            }

            // And removed through the API, it stays removed.
            using (var deleted = await restarted.Http.DeleteAsync("/api/tasks/api-task", Ct))
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

    private static async Task AssertServedAsync(GatewayHarness gateway)
    {
        using var response = await gateway.PostAsync("/v1/chat/completions", new { model = "api-task", messages = new[] { new { role = "user", content = "Hi" } }, max_tokens = 3 });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("api-model", Header(response, "X-Yard-Model"));
        Assert.Equal(3, (await JsonAsync(response)).GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        await gateway.AssertSettledAsync();
    }
}
