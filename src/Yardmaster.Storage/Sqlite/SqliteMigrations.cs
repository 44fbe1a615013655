using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Yardmaster.Storage.Sqlite;

/// <summary>
/// The schema of the SQLite store as numbered steps, and the code that brings a file up to date.
/// Append new steps at the end; never edit one that has shipped.
/// </summary>
internal static class SqliteMigrations
{
    /// <summary>Every step, in version order.</summary>
    public static IReadOnlyList<SqliteMigration> All { get; } =
    [
        new(1, "tasks and models, keyed by name, definitions as DefinitionJson", """
            CREATE TABLE tasks (
                name TEXT NOT NULL PRIMARY KEY,
                definition TEXT NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            ) STRICT;
            CREATE TABLE models (
                name TEXT NOT NULL PRIMARY KEY,
                definition TEXT NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            ) STRICT;
            """),
        new(2, "pipeline runs: runs, steps, attempts, every transition, step-duration estimates", """
            CREATE TABLE run_ids (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL) STRICT;
            CREATE TABLE runs (
                id TEXT NOT NULL PRIMARY KEY,
                pipeline TEXT NOT NULL,
                priority TEXT NOT NULL,
                state TEXT NOT NULL,
                definition TEXT NOT NULL,
                source_file TEXT NOT NULL,
                working_directory TEXT NOT NULL,
                created_at TEXT NOT NULL,
                ended_at TEXT,
                reason TEXT,
                seq INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX runs_by_pipeline ON runs (pipeline, seq);
            CREATE INDEX runs_by_state ON runs (state, seq);
            CREATE TABLE steps (
                run_id TEXT NOT NULL REFERENCES runs (id),
                step_id TEXT NOT NULL,
                idx INTEGER NOT NULL,
                state TEXT NOT NULL,
                attempts INTEGER NOT NULL,
                retries_used INTEGER NOT NULL,
                not_before TEXT,
                started_at TEXT,
                ended_at TEXT,
                reason TEXT,
                PRIMARY KEY (run_id, step_id)
            ) STRICT;
            CREATE TABLE attempts (
                run_id TEXT NOT NULL,
                step_id TEXT NOT NULL,
                number INTEGER NOT NULL,
                outcome TEXT NOT NULL,
                executor TEXT NOT NULL,
                node TEXT NOT NULL,
                gpus TEXT NOT NULL,
                locator TEXT,
                log_path TEXT NOT NULL,
                started_at TEXT NOT NULL,
                ended_at TEXT,
                exit_code INTEGER,
                reason TEXT,
                PRIMARY KEY (run_id, step_id, number),
                FOREIGN KEY (run_id, step_id) REFERENCES steps (run_id, step_id)
            ) STRICT;
            CREATE TABLE transitions (
                seq INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
                run_id TEXT NOT NULL,
                step_id TEXT,
                attempt INTEGER,
                from_state TEXT NOT NULL,
                to_state TEXT NOT NULL,
                reason TEXT NOT NULL,
                at TEXT NOT NULL
            ) STRICT;
            CREATE INDEX transitions_by_run ON transitions (run_id, seq);
            CREATE TABLE step_durations (
                pipeline TEXT NOT NULL,
                step_id TEXT NOT NULL,
                seconds REAL NOT NULL,
                PRIMARY KEY (pipeline, step_id)
            ) STRICT;
            """),
        new(3, "credentials the server made itself (the generated admin token), as SHA-256 hashes only", """
            CREATE TABLE credentials (
                name TEXT NOT NULL PRIMARY KEY,
                hash TEXT NOT NULL,
                created_at TEXT NOT NULL
            ) STRICT;
            """),
        new(4, "history: per-minute request rollups with latency histograms, the request log, model events, usage samples", """
            CREATE TABLE request_rollups (
                minute INTEGER NOT NULL,
                task TEXT NOT NULL,
                model TEXT NOT NULL,
                outcome TEXT NOT NULL,
                reason TEXT NOT NULL,
                requests INTEGER NOT NULL,
                tokens_in INTEGER NOT NULL,
                tokens_out INTEGER NOT NULL,
                slo_counted INTEGER NOT NULL,
                slo_met INTEGER NOT NULL,
                queue_ms TEXT NOT NULL,
                ttft_ms TEXT NOT NULL,
                latency_ms TEXT NOT NULL,
                PRIMARY KEY (minute, task, model, outcome, reason)
            ) STRICT, WITHOUT ROWID;
            CREATE TABLE request_log (
                request_id TEXT NOT NULL,
                arrival_ms INTEGER NOT NULL,
                task TEXT NOT NULL,
                model TEXT,
                priority TEXT,
                prompt_tokens INTEGER NOT NULL,
                output_tokens INTEGER NOT NULL,
                queue_ms REAL,
                ttft_ms REAL,
                latency_ms REAL NOT NULL,
                outcome TEXT NOT NULL,
                reason TEXT
            ) STRICT;
            CREATE INDEX request_log_by_arrival ON request_log (arrival_ms);
            CREATE TABLE model_events (
                at_ms INTEGER NOT NULL,
                kind TEXT NOT NULL,
                model TEXT NOT NULL,
                replica INTEGER NOT NULL,
                device TEXT NOT NULL,
                reason TEXT,
                detail TEXT,
                seconds REAL,
                bytes INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX model_events_by_time ON model_events (at_ms);
            CREATE TABLE usage_samples (
                minute INTEGER NOT NULL,
                node TEXT NOT NULL,
                resource TEXT NOT NULL,
                capacity INTEGER NOT NULL,
                allocated INTEGER NOT NULL,
                PRIMARY KEY (minute, node, resource)
            ) STRICT, WITHOUT ROWID;
            """),
        new(5, ClusterDescription, """
            CREATE TABLE cluster_instances (
                id TEXT NOT NULL PRIMARY KEY,
                url TEXT NOT NULL,
                last_seen TEXT NOT NULL
            ) STRICT;
            CREATE TABLE cluster_lease (
                id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
                holder_id TEXT,
                holder_url TEXT,
                epoch INTEGER NOT NULL,
                expires_at TEXT NOT NULL
            ) STRICT;
            """),
        new(6, StepResultsDescription, """
            ALTER TABLE steps ADD COLUMN result TEXT;
            ALTER TABLE steps ADD COLUMN items INTEGER;
            ALTER TABLE attempts ADD COLUMN item INTEGER;
            ALTER TABLE attempts ADD COLUMN result TEXT;
            """),
        new(7, QualityDescription, """
            CREATE TABLE model_quality (
                model TEXT NOT NULL,
                metric TEXT NOT NULL,
                score REAL NOT NULL,
                count INTEGER NOT NULL,
                low REAL NOT NULL,
                high REAL NOT NULL,
                dataset TEXT NOT NULL,
                measured_at TEXT NOT NULL,
                source TEXT NOT NULL
            ) STRICT;
            CREATE INDEX model_quality_by_model ON model_quality (model, metric);
            """),
    ];

    /// <summary>Step 6's description, the same in both stores.</summary>
    public const string StepResultsDescription =
        "pipelines that fan out and decide: a step's and an attempt's outputs (the JSON of $YARD_OUTPUTS), a mapped step's item count, an attempt's item";

    /// <summary>Step 7's description, the same in both stores.</summary>
    public const string QualityDescription = "model quality: every measurement of a model on a metric (score, count, 95% interval, dataset, time, source)";

    /// <summary>Step 5's description: the same step exists in both stores so that a version number means the same schema in each.</summary>
    public const string ClusterDescription =
        "cluster: instances' heartbeats and the scheduler's leader lease (used by the PostgreSQL store only; in SQLite too, unused, so versions mean the same in both)";

    /// <summary>The newest version this code knows.</summary>
    public static int Latest => All[^1].Version;

    /// <summary>
    /// Applies the steps the file lacks in one immediate (write-locking) transaction, so two processes
    /// opening the same new file apply each step once. Idempotent.
    /// </summary>
    /// <exception cref="InvalidOperationException">The file's version is newer than <see cref="Latest"/>.</exception>
    public static async Task ApplyAsync(SqliteConnection connection, string path, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(transaction, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL) STRICT;", cancellationToken);
        var current = await CurrentVersionAsync(transaction, cancellationToken);
        if (current > Latest)
        {
            throw new InvalidOperationException(
                $"The store '{path}' has schema version {current}, but this Yardmaster knows versions up to {Latest}; run the newer Yardmaster that wrote it, or point store.path at another file.");
        }

        foreach (var migration in All.Where(m => m.Version > current))
        {
            await ExecuteAsync(transaction, migration.Sql, cancellationToken);
            await using var record = transaction.Connection!.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = "INSERT INTO schema_migrations (version, applied_at) VALUES ($version, $appliedAt);";
            record.Parameters.AddWithValue("$version", migration.Version);
            record.Parameters.AddWithValue("$appliedAt", time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The highest version recorded; 0 for a file without migrations.</summary>
    public static async Task<int> CurrentVersionAsync(SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;";
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(SqliteTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
