using System.Text.Json;
using System.Text.RegularExpressions;
using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.History;
using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Runs;
using Yardmaster.Core.Statistics;
using Yardmaster.Storage;
using Yardmaster.Storage.Sqlite;
using Yardmaster.Tests.Postgres;

namespace Yardmaster.Server.Tests.Cli;

/// <summary><c>yard store migrate</c> run as the real <c>yard</c> process, from a SQLite store written by the real stores into a new database on the test PostgreSQL.</summary>
public sealed partial class StoreMigrateCommandTests : IAsyncLifetime
{
    private static readonly DateTimeOffset _t0 = new(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _directory = new();
    private PostgresTestDatabase? _database;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PostgresTestDatabase Database => _database ?? throw new InvalidOperationException("not initialized");

    private string SqlitePath => _directory.File("data/yard.db");

    private static Dictionary<string, string> Environment => new() { [PostgresTestServer.PasswordVariable] = PostgresTestServer.Password };

    public async ValueTask InitializeAsync() => _database = await PostgresTestDatabase.CreateAsync(Ct);

    public async ValueTask DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        _directory.Dispose();
    }

    [Fact]
    public async Task Migrate_FullSqliteStore_EveryTableReadsBackTheSameFromPostgres()
    {
        await FillSqliteAsync();

        var (code, stdout, stderr) = await MigrateAsync();

        Assert.True(code == 0, stderr);
        var counts = RowCount().Matches(stdout).ToDictionary(m => m.Groups[1].Value, m => long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(
            new Dictionary<string, long>
            {
                ["tasks"] = 2, ["models"] = 1, ["credentials"] = 1, ["runs"] = 2, ["steps"] = 3, ["attempts"] = 2, ["transitions"] = 4, ["step_durations"] = 2,
                ["request_rollups"] = 2, ["request_log"] = 3, ["model_events"] = 1, ["model_quality"] = 2, ["usage_samples"] = 2,
            },
            counts);
        Assert.Contains($"copied {Path.GetFullPath(SqlitePath)} to {Database.Url} in one transaction; the next run id there is r4", stdout, StringComparison.Ordinal);
        await AssertSameStoresAsync();
        await using var postgres = await StoreOpener.OpenRunsAsync(Database.Settings, "", TimeProvider.System, fence: null, Ct);
        Assert.Equal("r4", await postgres.NextRunIdAsync(Ct));
    }

    [Fact]
    public async Task Migrate_TargetHoldsRows_RefusedUnlessForceWhichReplacesThem()
    {
        await FillSqliteAsync();
        Assert.Equal(0, (await MigrateAsync()).ExitCode);

        var (refused, _, refusal) = await MigrateAsync();
        var (forced, stdout, stderr) = await MigrateAsync("--force");

        Assert.Equal(1, refused);
        Assert.Equal(
            $"error: {Database.Url}: the target already holds 2 row(s) in tasks, 1 row(s) in models, 1 row(s) in credentials, 2 row(s) in runs, 3 row(s) in steps, 2 row(s) in attempts, 4 row(s) in transitions, 2 row(s) in step_durations, 2 row(s) in request_rollups, 3 row(s) in request_log, 1 row(s) in model_events, 2 row(s) in model_quality, 2 row(s) in usage_samples; pass --force to replace them with the copy; nothing was copied",
            refusal.Trim());
        Assert.True(forced == 0, stderr);
        Assert.Contains("the next run id there is r4", stdout, StringComparison.Ordinal);
        await AssertSameStoresAsync();
    }

    [Fact]
    public async Task Migrate_EmptyStore_CopiesNothingAndRunIdsStartAtR1()
    {
        await (await SqliteRegistryStore.OpenAsync(SqlitePath, TimeProvider.System, Ct)).DisposeAsync();

        var (code, stdout, stderr) = await MigrateAsync();

        Assert.True(code == 0, stderr);
        Assert.All(RowCount().Matches(stdout), m => Assert.Equal("0", m.Groups[2].Value));
        Assert.Contains("the next run id there is r1", stdout, StringComparison.Ordinal);
        Assert.Equal(0, (await MigrateAsync()).ExitCode); // still empty: a second copy is no refusal
    }

    [Fact]
    public async Task Migrate_PasswordInTheTargetUrl_UsageErrorWithoutThePassword()
    {
        var url = Database.Url.Replace("yardtest@", "yardtest:hunter2@", StringComparison.Ordinal);
        var (code, _, stderr) = await YardProcess.RunAsync(["store", "migrate", "--from", "sqlite:" + SqlitePath, "--to", url]);

        Assert.Equal(2, code);
        Assert.StartsWith("error: --to holds a password, which would end up in logs and process listings;", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("yard.db", "error: --from must be sqlite:PATH (got 'yard.db')")]
    [InlineData("sqlite:", "error: --from must be sqlite:PATH (got 'sqlite:')")]
    public async Task Migrate_FromWithoutSqlitePrefix_UsageError(string from, string expected)
    {
        var (code, _, stderr) = await YardProcess.RunAsync(["store", "migrate", "--from", from, "--to", Database.Url], Environment);
        Assert.Equal((2, expected), (code, stderr.Trim()));
    }

    [Fact]
    public async Task Migrate_NoSuchSqliteFile_FailsNamingIt()
    {
        var (code, _, stderr) = await MigrateAsync();
        Assert.Equal((1, $"error: no SQLite store at {Path.GetFullPath(SqlitePath)}"), (code, stderr.Trim()));
    }

    [Fact]
    public async Task Migrate_PasswordVariableUnset_FailsNamingTheOption()
    {
        await (await SqliteRegistryStore.OpenAsync(SqlitePath, TimeProvider.System, Ct)).DisposeAsync();
        var (code, _, stderr) = await YardProcess.RunAsync(["store", "migrate", "--from", "sqlite:" + SqlitePath, "--to", Database.Url, "--password-env", "YARD_TEST_UNSET"]);
        Assert.Equal(1, code);
        Assert.StartsWith("error: --password-env names the environment variable YARD_TEST_UNSET, which is not set", stderr, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^\s*([a-z_]+)\s+([0-9]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex RowCount();

    private Task<(int ExitCode, string Stdout, string Stderr)> MigrateAsync(params string[] more) =>
        YardProcess.RunAsync(["store", "migrate", "--from", "sqlite:" + SqlitePath, "--to", Database.Url, "--password-env", PostgresTestServer.PasswordVariable, .. more], Environment);

    private async Task AssertSameStoresAsync()
    {
        await using var sqlite = await StoreOpener.OpenAsync(new StoreSettings(), SqlitePath, TimeProvider.System, null, Ct);
        await using var postgres = await StoreOpener.OpenAsync(Database.Settings, "", TimeProvider.System, null, Ct);
        Assert.Equal((await sqlite.Registry.ListTasksAsync(Ct)).Select(DefinitionJson.ToJson), (await postgres.Registry.ListTasksAsync(Ct)).Select(DefinitionJson.ToJson));
        Assert.Equal((await sqlite.Registry.ListTasksAsync(Ct)).Select(t => t.FromConfig), (await postgres.Registry.ListTasksAsync(Ct)).Select(t => t.FromConfig));
        Assert.Equal((await sqlite.Registry.ListModelsAsync(Ct)).Select(DefinitionJson.ToJson), (await postgres.Registry.ListModelsAsync(Ct)).Select(DefinitionJson.ToJson));
        Assert.Equal("ab12", await postgres.Registry.GetCredentialHashAsync("admin-token", Ct));
        Assert.Equal(await sqlite.Registry.ListQualityAsync("tiny", 10, Ct), await postgres.Registry.ListQualityAsync("tiny", 10, Ct));
        Assert.Equal(2, (await postgres.Registry.ListQualityAsync("tiny", 10, Ct)).Count);
        Assert.Equal(Json(await sqlite.Runs.ListRunsAsync(null, 10, Ct)), Json(await postgres.Runs.ListRunsAsync(null, 10, Ct)));
        foreach (var id in new[] { "r1", "r3" })
        {
            Assert.Equal(Json(await sqlite.Runs.GetRunAsync(id, Ct)), Json(await postgres.Runs.GetRunAsync(id, Ct)));
            Assert.Equal(await sqlite.Runs.TransitionsAsync(id, Ct), await postgres.Runs.TransitionsAsync(id, Ct));
        }

        Assert.Equal(["r3"], (await postgres.Runs.UnfinishedRunsAsync(Ct)).Select(d => d.Run.Id));
        Assert.Equal(await sqlite.Runs.DurationsAsync("etl", Ct), await postgres.Runs.DurationsAsync("etl", Ct));
        var (since, until) = (_t0.AddHours(-1), _t0.AddHours(1));
        Assert.Equal(Rollups(await sqlite.History.ReadRollupsAsync(since, until, Ct)), Rollups(await postgres.History.ReadRollupsAsync(since, until, Ct)));
        Assert.Equal(await sqlite.History.ReadRequestsAsync(since, until, Ct).ToListAsync(Ct), await postgres.History.ReadRequestsAsync(since, until, Ct).ToListAsync(Ct));
        Assert.Equal(await sqlite.History.ReadEventsAsync(since, until, Ct), await postgres.History.ReadEventsAsync(since, until, Ct));
        Assert.Equal(await sqlite.History.ReadUsageAsync(since, until, Ct), await postgres.History.ReadUsageAsync(since, until, Ct));
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);

    private static IEnumerable<string> Rollups(IReadOnlyList<RollupRow> rows) =>
        rows.Select(r => $"{r.Key} {r.Totals.Count} {r.Totals.TokensIn} {r.Totals.SloMet} {r.Totals.Latency.Encode()} {r.Totals.QueueTime.Encode()}");

    /// <summary>A store as a server leaves it: tasks and a model, the admin token's hash, two finished and running runs (r2 drawn, never written), history.</summary>
    private async Task FillSqliteAsync()
    {
        await using var stores = await StoreOpener.OpenAsync(new StoreSettings(), SqlitePath, TimeProvider.System, null, Ct);
        await stores.Registry.UpsertTaskAsync(new TaskDefinition { Name = "chat", Models = ["tiny"], Priority = PriorityClass.High, FromConfig = true }, Ct);
        await stores.Registry.UpsertTaskAsync(new TaskDefinition { Name = "batch", Models = ["tiny"], Ttft = TimeSpan.FromMilliseconds(500) }, Ct);
        await stores.Registry.UpsertModelAsync(new ModelDefinition { Name = "tiny", Path = "tiny.gguf", Slots = 4 }, Ct);
        await stores.Registry.SetCredentialHashAsync("admin-token", "ab12", Ct);
        var quality = new Core.Registry.ModelQuality("tiny", "triage-v1", 0.5, 10, 0.24, 0.76, "eval.jsonl", _t0, "run r1 step eval");
        await stores.Registry.AddQualityAsync(quality, Ct);
        await stores.Registry.AddQualityAsync(quality with { Score = 0.7, Low = 0.4, High = 0.9, MeasuredAt = _t0.AddMinutes(1) }, Ct);

        var ids = new[] { await stores.Runs.NextRunIdAsync(Ct), await stores.Runs.NextRunIdAsync(Ct), await stores.Runs.NextRunIdAsync(Ct) };
        Assert.Equal(["r1", "r2", "r3"], ids);
        var batch = new RunStoreBatch();
        batch.Runs.Add(Run("r1") with { State = RunState.Succeeded, EndedAt = _t0.AddSeconds(30), Reason = "every step succeeded" });
        batch.Steps.Add(new StepRecord { RunId = "r1", StepId = "a", Index = 0, State = StepState.Succeeded, Attempts = 1, StartedAt = _t0.AddSeconds(1), EndedAt = _t0.AddSeconds(29) });
        batch.Attempts.Add(Attempt("r1", "a") with { Outcome = AttemptOutcome.Succeeded, EndedAt = _t0.AddSeconds(29), ExitCode = 0 });
        batch.Transitions.Add(new TransitionRecord("r1", null, null, string.Empty, "running", "submitted", _t0));
        batch.Transitions.Add(new TransitionRecord("r1", "a", 1, "ready", "running", "attempt 1 placed on local", _t0.AddSeconds(1)));
        batch.Transitions.Add(new TransitionRecord("r1", null, null, "running", "succeeded", "every step succeeded", _t0.AddSeconds(30)));
        batch.Runs.Add(Run("r3"));
        batch.Steps.Add(new StepRecord { RunId = "r3", StepId = "a", Index = 0, State = StepState.Running, Attempts = 1, StartedAt = _t0.AddSeconds(40) });
        batch.Steps.Add(new StepRecord { RunId = "r3", StepId = "b", Index = 1, State = StepState.Waiting, NotBefore = _t0.AddMinutes(2) });
        batch.Attempts.Add(Attempt("r3", "a") with { Gpus = [0, 2], Locator = "pid 4242 start 99" });
        batch.Transitions.Add(new TransitionRecord("r3", null, null, string.Empty, "running", "submitted", _t0.AddSeconds(39)));
        batch.Durations.Add(("etl", "a", 28.5));
        batch.Durations.Add(("etl", "b", 3));
        await stores.Runs.WriteAsync(batch, Ct);

        var requests = Enumerable.Range(0, 3).Select(i => new RequestRecord("chat", "tiny", RequestOutcome.Completed, TimeSpan.FromMilliseconds(3 + i), TimeSpan.FromMilliseconds(20),
            TimeSpan.FromMilliseconds(100 * (i + 1)), 12, 5, true) { RequestId = $"req_{i}", Arrival = _t0.AddSeconds(50 * i), Priority = PriorityClass.High }).ToList();
        var rollups = requests.GroupBy(r => RollupKey.Of(r, r.Arrival)).Select(g =>
        {
            var totals = new RollupTotals();
            foreach (var r in g)
            {
                totals.Add(r);
            }

            return new RollupRow(g.Key, totals);
        }).ToList();
        var minute = RollupKey.MinuteOf(_t0);
        await stores.History.WriteAsync(new HistoryBatch(
            rollups,
            [.. requests.Select(RequestLogRecord.Of)],
            [new ModelEventRecord(_t0.AddSeconds(5), "loaded", "tiny", 0, "cpu", null, "warm", 1.25, 1 << 20)],
            [new UsageSample(minute, "local", "cpu", 4000, 1000), new UsageSample(minute, "local", "memory", 1L << 33, 1L << 30)]), Ct);
    }

    private static RunRecord Run(string id) => new()
    {
        Id = id,
        Pipeline = "etl",
        Priority = PriorityClass.Low,
        State = RunState.Running,
        Definition = "name: etl\nsteps:\n  - id: a\n    run: echo hi\n",
        SourceFile = "etl.yaml",
        WorkingDirectory = "/tmp/" + id,
        CreatedAt = _t0,
    };

    private static AttemptRecord Attempt(string runId, string stepId) => new()
    {
        RunId = runId,
        StepId = stepId,
        Number = 1,
        Outcome = AttemptOutcome.Running,
        Executor = "process",
        Node = "local",
        LogPath = $"/tmp/{runId}/{stepId}.1/log",
        StartedAt = _t0.AddSeconds(1),
    };
}
