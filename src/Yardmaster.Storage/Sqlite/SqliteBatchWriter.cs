using Microsoft.Data.Sqlite;
using Yardmaster.Core;
using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Runs;

namespace Yardmaster.Storage.Sqlite;

/// <summary>
/// Writes <see cref="RunStoreBatch"/>es inside transactions on one connection, each kind of row through one statement
/// prepared once for the connection's life (parsing the SQL again for every batch cost more than the rows). Not thread-safe.
/// </summary>
internal sealed class SqliteBatchWriter(SqliteConnection connection) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private SqliteTransaction? _transaction;

    public void Write(RunStoreBatch batch, SqliteTransaction transaction)
    {
        _transaction = transaction;
        if (batch.Runs.Count > 0)
        {
            var command = Prepare("""
                INSERT INTO runs (id, pipeline, priority, state, definition, source_file, working_directory, created_at, ended_at, reason, seq)
                VALUES ($id, $pipeline, $priority, $state, $definition, $source, $dir, $created, $ended, $reason, CAST(SUBSTR($id, 2) AS INTEGER))
                ON CONFLICT (id) DO UPDATE SET state = excluded.state, ended_at = excluded.ended_at, reason = excluded.reason;
                """, "$id", "$pipeline", "$priority", "$state", "$definition", "$source", "$dir", "$created", "$ended", "$reason");
            foreach (var r in batch.Runs)
            {
                Run(command, r.Id, r.Pipeline, r.Priority.Name(), r.State.Name(), r.Definition, r.SourceFile, r.WorkingDirectory, SqliteRunStore.Text(r.CreatedAt), Optional(r.EndedAt), r.Reason);
            }
        }

        if (batch.Steps.Count > 0)
        {
            // An upsert, not INSERT OR REPLACE: a replace deletes the row first, and with foreign keys on SQLite then counts
            // the step's attempts (its children) on every write: a map step of 10,000 items made that quadratic.
            var command = Prepare("""
                INSERT INTO steps (run_id, step_id, idx, state, attempts, retries_used, not_before, started_at, ended_at, reason, result, items)
                VALUES ($run, $step, $idx, $state, $attempts, $retries, $notBefore, $started, $ended, $reason, $result, $items)
                ON CONFLICT (run_id, step_id) DO UPDATE SET idx = excluded.idx, state = excluded.state, attempts = excluded.attempts,
                    retries_used = excluded.retries_used, not_before = excluded.not_before, started_at = excluded.started_at,
                    ended_at = excluded.ended_at, reason = excluded.reason, result = excluded.result, items = excluded.items;
                """, "$run", "$step", "$idx", "$state", "$attempts", "$retries", "$notBefore", "$started", "$ended", "$reason", "$result", "$items");
            foreach (var s in batch.Steps)
            {
                Run(command, s.RunId, s.StepId, s.Index, s.State.Name(), s.Attempts, s.RetriesUsed, Optional(s.NotBefore), Optional(s.StartedAt), Optional(s.EndedAt), s.Reason, s.Result, s.Items);
            }
        }

        if (batch.Attempts.Count > 0)
        {
            var command = Prepare("""
                INSERT OR REPLACE INTO attempts (run_id, step_id, number, outcome, executor, node, gpus, locator, log_path, started_at, ended_at, exit_code, reason, item, result)
                VALUES ($run, $step, $number, $outcome, $executor, $node, $gpus, $locator, $log, $started, $ended, $exit, $reason, $item, $result);
                """, "$run", "$step", "$number", "$outcome", "$executor", "$node", "$gpus", "$locator", "$log", "$started", "$ended", "$exit", "$reason", "$item", "$result");
            foreach (var a in batch.Attempts)
            {
                Run(command, a.RunId, a.StepId, a.Number, a.Outcome.Name(), a.Executor, a.Node, string.Join(',', a.Gpus), a.Locator, a.LogPath,
                    SqliteRunStore.Text(a.StartedAt), Optional(a.EndedAt), a.ExitCode, a.Reason, a.Item, a.Result);
            }
        }

        if (batch.Transitions.Count > 0)
        {
            var command = Prepare("""
                INSERT INTO transitions (run_id, step_id, attempt, from_state, to_state, reason, at) VALUES ($run, $step, $attempt, $from, $to, $reason, $at);
                """, "$run", "$step", "$attempt", "$from", "$to", "$reason", "$at");
            foreach (var t in batch.Transitions)
            {
                Run(command, t.RunId, t.StepId, t.Attempt, t.From, t.To, t.Reason, SqliteRunStore.Text(t.At));
            }
        }

        if (batch.Durations.Count > 0)
        {
            var command = Prepare("INSERT OR REPLACE INTO step_durations (pipeline, step_id, seconds) VALUES ($pipeline, $step, $seconds);", "$pipeline", "$step", "$seconds");
            foreach (var (pipeline, step, seconds) in batch.Durations)
            {
                Run(command, pipeline, step, seconds);
            }
        }
    }

    private static string? Optional(DateTimeOffset? at) => at is { } t ? SqliteRunStore.Text(t) : null;

    private static void Run(SqliteCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
    }

    private SqliteCommand Prepare(string sql, params string[] names)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in names)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            _commands[sql] = command;
        }

        command.Transaction = _transaction;
        return command;
    }
}
