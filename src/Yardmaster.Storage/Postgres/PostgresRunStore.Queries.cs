using Npgsql;
using Yardmaster.Core.Runs;

namespace Yardmaster.Storage.Postgres;

public sealed partial class PostgresRunStore
{
    private const string RunColumns = RunRows.RunColumns;

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
                reader.GetString(3), reader.GetString(4), reader.GetString(5), PgTime(reader, 6)!.Value));
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

    private static DateTimeOffset? PgTime(System.Data.Common.DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);

    private static async Task<List<RunRecord>> ReadRunsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var runs = new List<RunRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            runs.Add(RunRows.Run(reader, PgTime));
        }

        return runs;
    }

    private static async Task<RunDetail> DetailAsync(NpgsqlConnection connection, RunRecord run, CancellationToken cancellationToken)
    {
        var steps = new List<StepRecord>();
        await using (var command = new NpgsqlCommand($"SELECT {RunRows.StepColumns} FROM steps WHERE run_id = @id ORDER BY idx;", connection))
        {
            command.Parameters.AddWithValue("id", run.Id);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                steps.Add(RunRows.Step(reader, run.Id, PgTime));
            }
        }

        var attempts = new List<AttemptRecord>();
        await using (var command = new NpgsqlCommand(
            $"SELECT {RunRows.AttemptColumns} FROM attempts WHERE run_id = @id ORDER BY step_id COLLATE \"C\", number;",
            connection))
        {
            command.Parameters.AddWithValue("id", run.Id);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                attempts.Add(RunRows.Attempt(reader, run.Id, PgTime));
            }
        }

        return new RunDetail(run, steps, attempts);
    }
}
