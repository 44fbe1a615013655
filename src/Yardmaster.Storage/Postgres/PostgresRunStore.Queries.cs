using Npgsql;
using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Runs;

namespace Yardmaster.Storage.Postgres;

public sealed partial class PostgresRunStore
{
    private const string RunColumns = "id, pipeline, priority, state, definition, source_file, working_directory, created_at, ended_at, reason";

    /// <inheritdoc/>
    public async Task<IReadOnlyList<RunRecord>> ListRunsAsync(string? pipeline, int limit, CancellationToken cancellationToken)
    {
        await using var command = Command(pipeline is null
            ? $"SELECT {RunColumns} FROM runs ORDER BY seq DESC LIMIT @limit;"
            : $"SELECT {RunColumns} FROM runs WHERE pipeline = @pipeline ORDER BY seq DESC LIMIT @limit;");
        command.Parameters.AddWithValue("limit", Math.Max(0, limit));
        if (pipeline is not null)
        {
            command.Parameters.AddWithValue("pipeline", pipeline);
        }

        return await ReadRunsAsync(command, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<RunDetail?> GetRunAsync(string runId, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await using var connection = await _source.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT {RunColumns} FROM runs WHERE id = @id;", connection);
        command.Parameters.AddWithValue("id", runId);
        var runs = await ReadRunsAsync(command, cancellationToken);
        return runs.Count == 0 ? null : await DetailAsync(connection, runs[0], cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<RunDetail>> UnfinishedRunsAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await using var connection = await _source.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT {RunColumns} FROM runs WHERE state = 'running' ORDER BY seq;", connection);
        var details = new List<RunDetail>();
        foreach (var run in await ReadRunsAsync(command, cancellationToken))
        {
            details.Add(await DetailAsync(connection, run, cancellationToken));
        }

        return details;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<TransitionRecord>> TransitionsAsync(string runId, CancellationToken cancellationToken)
    {
        await using var command = Command("SELECT run_id, step_id, attempt, from_state, to_state, reason, at FROM transitions WHERE run_id = @id ORDER BY seq;");
        command.Parameters.AddWithValue("id", runId);
        var list = new List<TransitionRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new TransitionRecord(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetInt32(2),
                reader.GetString(3), reader.GetString(4), reader.GetString(5), Time(reader, 6)!.Value));
        }

        return list;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyDictionary<string, double>> DurationsAsync(string pipeline, CancellationToken cancellationToken)
    {
        await using var command = Command("SELECT step_id, seconds FROM step_durations WHERE pipeline = @pipeline;");
        command.Parameters.AddWithValue("pipeline", pipeline);
        var durations = new Dictionary<string, double>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            durations[reader.GetString(0)] = reader.GetDouble(1);
        }

        return durations;
    }

    private static DateTimeOffset? Time(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);

    private static async Task<List<RunRecord>> ReadRunsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var runs = new List<RunRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            runs.Add(new RunRecord
            {
                Id = reader.GetString(0),
                Pipeline = reader.GetString(1),
                Priority = ParsePriority(reader.GetString(2)),
                State = ParseEnum<RunState>(reader.GetString(3)),
                Definition = reader.GetString(4),
                SourceFile = reader.GetString(5),
                WorkingDirectory = reader.GetString(6),
                CreatedAt = Time(reader, 7)!.Value,
                EndedAt = Time(reader, 8),
                Reason = reader.IsDBNull(9) ? null : reader.GetString(9),
            });
        }

        return runs;
    }

    private static async Task<RunDetail> DetailAsync(NpgsqlConnection connection, RunRecord run, CancellationToken cancellationToken)
    {
        var steps = new List<StepRecord>();
        await using (var command = new NpgsqlCommand("SELECT step_id, idx, state, attempts, retries_used, not_before, started_at, ended_at, reason FROM steps WHERE run_id = @id ORDER BY idx;", connection))
        {
            command.Parameters.AddWithValue("id", run.Id);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                steps.Add(new StepRecord
                {
                    RunId = run.Id,
                    StepId = reader.GetString(0),
                    Index = reader.GetInt32(1),
                    State = ParseEnum<StepState>(reader.GetString(2)),
                    Attempts = reader.GetInt32(3),
                    RetriesUsed = reader.GetInt32(4),
                    NotBefore = Time(reader, 5),
                    StartedAt = Time(reader, 6),
                    EndedAt = Time(reader, 7),
                    Reason = reader.IsDBNull(8) ? null : reader.GetString(8),
                });
            }
        }

        var attempts = new List<AttemptRecord>();
        await using (var command = new NpgsqlCommand(
            "SELECT step_id, number, outcome, executor, node, gpus, locator, log_path, started_at, ended_at, exit_code, reason FROM attempts WHERE run_id = @id ORDER BY step_id COLLATE \"C\", number;",
            connection))
        {
            command.Parameters.AddWithValue("id", run.Id);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                attempts.Add(new AttemptRecord
                {
                    RunId = run.Id,
                    StepId = reader.GetString(0),
                    Number = reader.GetInt32(1),
                    Outcome = ParseEnum<AttemptOutcome>(reader.GetString(2)),
                    Executor = reader.GetString(3),
                    Node = reader.GetString(4),
                    Gpus = [.. reader.GetString(5).Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)],
                    Locator = reader.IsDBNull(6) ? null : reader.GetString(6),
                    LogPath = reader.GetString(7),
                    StartedAt = Time(reader, 8)!.Value,
                    EndedAt = Time(reader, 9),
                    ExitCode = reader.IsDBNull(10) ? null : reader.GetInt32(10),
                    Reason = reader.IsDBNull(11) ? null : reader.GetString(11),
                });
            }
        }

        return new RunDetail(run, steps, attempts);
    }
}
