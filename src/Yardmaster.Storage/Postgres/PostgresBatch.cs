using Npgsql;
using NpgsqlTypes;
using Yardmaster.Core;
using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Runs;

namespace Yardmaster.Storage.Postgres;

/// <summary>
/// A <see cref="RunStoreBatch"/> as one <see cref="NpgsqlBatch"/>: every row one statement, all sent in one round trip
/// inside the caller's transaction. Rows with the same key replace the stored ones, as in the SQLite store.
/// </summary>
internal static class PostgresBatch
{
    private const string RunSql = """
        INSERT INTO runs (id, pipeline, priority, state, definition, source_file, working_directory, created_at, ended_at, reason, seq)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, CAST(substr($1, 2) AS bigint))
        ON CONFLICT (id) DO UPDATE SET state = excluded.state, ended_at = excluded.ended_at, reason = excluded.reason;
        """;

    private const string StepSql = """
        INSERT INTO steps (run_id, step_id, idx, state, attempts, retries_used, not_before, started_at, ended_at, reason, result, items)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
        ON CONFLICT (run_id, step_id) DO UPDATE SET idx = excluded.idx, state = excluded.state, attempts = excluded.attempts,
            retries_used = excluded.retries_used, not_before = excluded.not_before, started_at = excluded.started_at,
            ended_at = excluded.ended_at, reason = excluded.reason, result = excluded.result, items = excluded.items;
        """;

    private const string AttemptSql = """
        INSERT INTO attempts (run_id, step_id, number, outcome, executor, node, gpus, locator, log_path, started_at, ended_at, exit_code, reason, item, result)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
        ON CONFLICT (run_id, step_id, number) DO UPDATE SET outcome = excluded.outcome, executor = excluded.executor, node = excluded.node,
            gpus = excluded.gpus, locator = excluded.locator, log_path = excluded.log_path, started_at = excluded.started_at,
            ended_at = excluded.ended_at, exit_code = excluded.exit_code, reason = excluded.reason, item = excluded.item, result = excluded.result;
        """;

    private const string TransitionSql = "INSERT INTO transitions (run_id, step_id, attempt, from_state, to_state, reason, at) VALUES ($1, $2, $3, $4, $5, $6, $7);";

    private const string DurationSql = """
        INSERT INTO step_durations (pipeline, step_id, seconds) VALUES ($1, $2, $3)
        ON CONFLICT (pipeline, step_id) DO UPDATE SET seconds = excluded.seconds;
        """;

    /// <summary>Adds the statements of <paramref name="batch"/> to <paramref name="into"/>.</summary>
    public static void Add(NpgsqlBatch into, RunStoreBatch batch)
    {
        foreach (var r in batch.Runs)
        {
            into.BatchCommands.Add(Statement(RunSql, Text(r.Id), Text(r.Pipeline), Text(r.Priority.Name()), Text(r.State.Name()), Text(r.Definition),
                Text(r.SourceFile), Text(r.WorkingDirectory), Time(r.CreatedAt), Time(r.EndedAt), Text(r.Reason)));
        }

        foreach (var s in batch.Steps)
        {
            into.BatchCommands.Add(Statement(StepSql, Text(s.RunId), Text(s.StepId), Integer(s.Index), Text(s.State.Name()), Integer(s.Attempts),
                Integer(s.RetriesUsed), Time(s.NotBefore), Time(s.StartedAt), Time(s.EndedAt), Text(s.Reason), Text(s.Result), Integer(s.Items)));
        }

        foreach (var a in batch.Attempts)
        {
            into.BatchCommands.Add(Statement(AttemptSql, Text(a.RunId), Text(a.StepId), Integer(a.Number), Text(a.Outcome.Name()), Text(a.Executor),
                Text(a.Node), Text(string.Join(',', a.Gpus)), Text(a.Locator), Text(a.LogPath), Time(a.StartedAt), Time(a.EndedAt), Integer(a.ExitCode), Text(a.Reason), Integer(a.Item), Text(a.Result)));
        }

        foreach (var t in batch.Transitions)
        {
            into.BatchCommands.Add(Statement(TransitionSql, Text(t.RunId), Text(t.StepId), Integer(t.Attempt), Text(t.From), Text(t.To), Text(t.Reason), Time(t.At)));
        }

        foreach (var (pipeline, step, seconds) in batch.Durations)
        {
            into.BatchCommands.Add(Statement(DurationSql, Text(pipeline), Text(step), new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Double, Value = seconds }));
        }
    }

    private static NpgsqlBatchCommand Statement(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlParameter Text(string? value) => new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value };

    private static NpgsqlParameter Integer(int? value) => new() { NpgsqlDbType = NpgsqlDbType.Integer, Value = value is { } v ? v : DBNull.Value };

    private static NpgsqlParameter Time(DateTimeOffset? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = value is { } v ? v.ToUniversalTime() : DBNull.Value };
}
