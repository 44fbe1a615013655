using System.Net;
using System.Text.Json;
using Yardmaster.Tests.Postgres;

namespace Yardmaster.Server.Tests.Gateway;

/// <summary>A real gateway whose store is a new database on the test PostgreSQL: what it keeps lives there, for the next instance to find.</summary>
public sealed class GatewayPostgresStoreTests : IAsyncLifetime
{
    private const string AdminKey = "pg-admin-key";
    private const string Yaml = $$"""
        server: { port: 0 }
        auth: { admin_keys: [{{AdminKey}}] }
        jobs: { docker: { enabled: false } }
        """;

    private PostgresTestDatabase? _database;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PostgresTestDatabase Database => _database ?? throw new InvalidOperationException("not initialized");

    public async ValueTask InitializeAsync() => _database = await PostgresTestDatabase.CreateAsync(Ct);

    public async ValueTask DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Fact]
    public async Task Runs_OnePostgresStore_AnotherInstanceFindsThemAndNumbersOn()
    {
        using var first = new TempDirectory();
        using var second = new TempDirectory();
        string id;
        await using (var gateway = await StartAsync(first.Path))
        {
            id = await SubmitAsync(gateway, "name: hello\nsteps:\n  - id: a\n    run: echo hi\n");
            await PollAsync(() => gateway.GetJsonAsync($"/api/runs/{id}"), r => r.GetProperty("state").GetString() == "succeeded");
        }

        await using var next = await StartAsync(second.Path);
        var run = await next.GetJsonAsync($"/api/runs/{id}");

        Assert.Equal(("succeeded", "hello"), (run.GetProperty("state").GetString(), run.GetProperty("pipeline").GetString()));
        Assert.Equal(0, run.GetProperty("attempts")[0].GetProperty("exit_code").GetInt32());
        Assert.Equal("r2", await SubmitAsync(next, "name: again\nsteps:\n  - id: a\n    run: true\n"));
        Assert.Equal(2L, await Database.ScalarAsync("SELECT COUNT(*) FROM runs;", Ct));
        Assert.False(File.Exists(Path.Combine(first.Path, "yard.db")), "no SQLite store beside a PostgreSQL one");
    }

    private Task<GatewayHarness> StartAsync(string data) =>
        GatewayHarness.StartAsync(Yaml, data, AdminKey, adjust: c => c with { Store = Database.Settings });

    private static async Task<string> SubmitAsync(GatewayHarness gateway, string yaml)
    {
        using var response = await gateway.PostAsync("/api/runs", new { yaml });
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
    }

    private static async Task PollAsync(Func<Task<JsonElement>> call, Func<JsonElement, bool> done)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!done(await call()))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "not done within 30 s");
            await Task.Delay(50, Ct);
        }
    }
}
