using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Yardmaster.Core;
using Yardmaster.Core.Cluster;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Runs;
using Yardmaster.Storage;

// Durable run-store throughput, steps/s: the writes a job scheduler makes for each step, committed before it acts:
// one batch as the step starts (step running + attempt + transition), one as it ends (step succeeded + attempt ended
// + transition). SQLite (WAL, synchronous = NORMAL, as the server runs it) against PostgreSQL (its defaults:
// synchronous_commit = on, so every commit waits for the WAL flush; unfenced, and fenced as a leader writes) and
// PostgreSQL with synchronous_commit = off, in the same process, alternating, on a fresh store each round.
// Usage: Yardmaster.StoreBench --url postgres://USER@HOST:PORT/DB --password-env VAR [--steps N] [--per-batch K] [--repeat R]
var options = Options.Parse(args);
var backends = new (string Name, Func<string, Task<(StoreSettings Settings, Func<Task> Drop)>> Create, bool Fenced)[]
{
    ("sqlite (WAL, synchronous=NORMAL)", SqliteAsync, false),
    ("postgres (synchronous_commit=on)", name => PostgresAsync(name, synchronousCommit: true), false),
    ("postgres (synchronous_commit=on), fenced", name => PostgresAsync(name, synchronousCommit: true), true),
    ("postgres (synchronous_commit=off)", name => PostgresAsync(name, synchronousCommit: false), false),
};
var results = backends.ToDictionary(b => b.Name, _ => new List<double>());
var round = 0;
for (var r = 0; r < options.Repeat + 1; r++)
{
    foreach (var (name, create, fenced) in backends)
    {
        var (settings, drop) = await create($"storebench_{Environment.ProcessId}_{round++}");
        try
        {
            var perSecond = await MeasureAsync(settings, options.Steps, options.PerBatch, fenced);
            if (r > 0)
            {
                results[name].Add(perSecond); // round 0 warms the code paths and the server
            }
        }
        finally
        {
            await drop();
        }
    }
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{options.Steps} steps, {options.PerBatch} step(s) per batch, {options.Repeat} timed round(s) after one warm-up; steps/s"));
Console.WriteLine();
Console.WriteLine("| store | median steps/s | best | worst | batches/s (median) |");
Console.WriteLine("|---|---:|---:|---:|---:|");
foreach (var (name, figures) in results)
{
    figures.Sort();
    var median = figures[figures.Count / 2];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {median:N0} | {figures[^1]:N0} | {figures[0]:N0} | {median * 2 / options.PerBatch:N0} |"));
}

return 0;

static Task<(StoreSettings, Func<Task>)> SqliteAsync(string name)
{
    var folder = Directory.CreateTempSubdirectory("yard-store-bench-");
    var settings = new StoreSettings { Path = Path.Combine(folder.FullName, "yard.db") };
    return Task.FromResult<(StoreSettings, Func<Task>)>((settings, () =>
    {
        folder.Delete(recursive: true);
        return Task.CompletedTask;
    }));
}

async Task<(StoreSettings, Func<Task>)> PostgresAsync(string name, bool synchronousCommit)
{
    var admin = Options.Admin(options);
    await using (var connection = new NpgsqlConnection(admin))
    {
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name};", connection);
        await create.ExecuteNonQueryAsync();
        await using var commit = new NpgsqlCommand($"ALTER DATABASE {name} SET synchronous_commit = {(synchronousCommit ? "on" : "off")};", connection);
        await commit.ExecuteNonQueryAsync();
    }

    var url = options.Url[..(options.Url.LastIndexOf('/') + 1)] + name;
    return (new StoreSettings { Url = url, PasswordEnv = options.PasswordEnv }, async () =>
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE);", connection);
        await drop.ExecuteNonQueryAsync();
    });
}

static async Task<double> MeasureAsync(StoreSettings settings, int steps, int perBatch, bool fenced)
{
    LeaseFence? fence = null;
    if (fenced)
    {
        // As a leader writes: holding the scheduler's lease, every batch checks it first.
        await using var cluster = (await StoreOpener.OpenClusterAsync(settings, TimeProvider.System, CancellationToken.None))!;
        var lease = await cluster.TryLeadAsync("bench", "http://127.0.0.1:1", TimeSpan.FromHours(1), CancellationToken.None);
        fence = new LeaseFence(lease.HolderId, lease.Epoch);
    }

    await using var store = await StoreOpener.OpenRunsAsync(settings, settings.Path ?? "", TimeProvider.System, fence, CancellationToken.None);
    var t0 = DateTimeOffset.UtcNow;
    var runId = await store.NextRunIdAsync(CancellationToken.None);
    var stepRecords = Enumerable.Range(0, steps).Select(i => new StepRecord { RunId = runId, StepId = $"s{i:D5}", Index = i, State = StepState.Waiting }).ToArray();
    var setup = new RunStoreBatch();
    setup.Runs.Add(new RunRecord
    {
        Id = runId, Pipeline = "bench", Priority = PriorityClass.Normal, State = RunState.Running, Definition = "name: bench\n",
        SourceFile = "bench.yaml", WorkingDirectory = "/tmp/bench", CreatedAt = t0,
    });
    setup.Steps.AddRange(stepRecords);
    await store.WriteAsync(setup, CancellationToken.None);

    var batch = new RunStoreBatch();
    var watch = Stopwatch.StartNew();
    for (var first = 0; first < steps; first += perBatch)
    {
        var group = stepRecords.Skip(first).Take(perBatch).ToArray();
        batch.Clear();
        foreach (var s in group)
        {
            var at = DateTimeOffset.UtcNow;
            batch.Steps.Add(s with { State = StepState.Running, Attempts = 1, StartedAt = at });
            batch.Attempts.Add(Attempt(s, at));
            batch.Transitions.Add(new TransitionRecord(runId, s.StepId, 1, "ready", "running", "attempt 1 placed on local", at));
        }

        await store.WriteAsync(batch, CancellationToken.None);
        batch.Clear();
        foreach (var s in group)
        {
            var at = DateTimeOffset.UtcNow;
            batch.Steps.Add(s with { State = StepState.Succeeded, Attempts = 1, StartedAt = at, EndedAt = at });
            batch.Attempts.Add(Attempt(s, at) with { Outcome = AttemptOutcome.Succeeded, EndedAt = at, ExitCode = 0 });
            batch.Transitions.Add(new TransitionRecord(runId, s.StepId, 1, "running", "succeeded", "exit code 0", at));
        }

        await store.WriteAsync(batch, CancellationToken.None);
    }

    watch.Stop();
    var detail = await store.GetRunAsync(runId, CancellationToken.None);
    if (detail!.Steps.Count(s => s.State == StepState.Succeeded) != steps)
    {
        throw new InvalidOperationException("the store lost steps");
    }

    return steps / watch.Elapsed.TotalSeconds;
}

static AttemptRecord Attempt(StepRecord step, DateTimeOffset at) => new()
{
    RunId = step.RunId, StepId = step.StepId, Number = 1, Outcome = AttemptOutcome.Running, Executor = "process", Node = "local",
    Locator = "pid 4242 start 1", LogPath = $"/tmp/bench/{step.StepId}.1/log", StartedAt = at,
};

internal sealed record Options(string Url, string PasswordEnv, int Steps, int PerBatch, int Repeat)
{
    public static Options Parse(string[] args)
    {
        string? Value(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var url = Value("--url") ?? throw new ArgumentException("--url postgres://USER@HOST:PORT/DB is required");
        var passwordEnv = Value("--password-env") ?? throw new ArgumentException("--password-env VAR is required");
        return new Options(
            url,
            passwordEnv,
            int.Parse(Value("--steps") ?? "2000", CultureInfo.InvariantCulture),
            int.Parse(Value("--per-batch") ?? "1", CultureInfo.InvariantCulture),
            int.Parse(Value("--repeat") ?? "3", CultureInfo.InvariantCulture));
    }

    /// <summary>A connection string to the URL's own database, for creating and dropping the bench's databases.</summary>
    public static string Admin(Options options)
    {
        if (!PostgresUrl.TryParse(options.Url, out var url, out var error))
        {
            throw new ArgumentException("--url " + error);
        }

        return new NpgsqlConnectionStringBuilder
        {
            Host = url!.Host, Port = url.Port, Username = url.User, Database = url.Database, Pooling = false,
            Password = Environment.GetEnvironmentVariable(options.PasswordEnv),
        }.ToString();
    }
}
