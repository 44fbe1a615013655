using System.Data.Common;
using Yardmaster.Core;
using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Runs;

namespace Yardmaster.Storage;

/// <summary>
/// The run store's rows as records, read the same way from either database: the columns in the order of
/// <see cref="RunColumns"/>, <see cref="StepColumns"/> and <see cref="AttemptColumns"/>; times through the adapter's
/// <c>time</c> (SQLite keeps ISO 8601 text, PostgreSQL <c>timestamptz</c>).
/// </summary>
internal static class RunRows
{
    public const string RunColumns = "id, pipeline, priority, state, definition, source_file, working_directory, created_at, ended_at, reason";
    public const string StepColumns = "step_id, idx, state, attempts, retries_used, not_before, started_at, ended_at, reason, result, items";
    public const string AttemptColumns = "step_id, number, outcome, executor, node, gpus, locator, log_path, started_at, ended_at, exit_code, reason, item, result";

    public static RunRecord Run(DbDataReader reader, Func<DbDataReader, int, DateTimeOffset?> time) => new()
    {
        Id = reader.GetString(0),
        Pipeline = reader.GetString(1),
        Priority = PriorityClasses.TryParse(reader.GetString(2), out var priority) ? priority : PriorityClass.Normal,
        State = Parse<RunState>(reader.GetString(3)),
        Definition = reader.GetString(4),
        SourceFile = reader.GetString(5),
        WorkingDirectory = reader.GetString(6),
        CreatedAt = time(reader, 7)!.Value,
        EndedAt = time(reader, 8),
        Reason = Text(reader, 9),
    };

    public static StepRecord Step(DbDataReader reader, string runId, Func<DbDataReader, int, DateTimeOffset?> time) => new()
    {
        RunId = runId,
        StepId = reader.GetString(0),
        Index = reader.GetInt32(1),
        State = Parse<StepState>(reader.GetString(2)),
        Attempts = reader.GetInt32(3),
        RetriesUsed = reader.GetInt32(4),
        NotBefore = time(reader, 5),
        StartedAt = time(reader, 6),
        EndedAt = time(reader, 7),
        Reason = Text(reader, 8),
        Result = Text(reader, 9),
        Items = reader.IsDBNull(10) ? null : reader.GetInt32(10),
    };

    public static AttemptRecord Attempt(DbDataReader reader, string runId, Func<DbDataReader, int, DateTimeOffset?> time) => new()
    {
        RunId = runId,
        StepId = reader.GetString(0),
        Number = reader.GetInt32(1),
        Outcome = Parse<AttemptOutcome>(reader.GetString(2)),
        Executor = reader.GetString(3),
        Node = reader.GetString(4),
        Gpus = [.. reader.GetString(5).Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)],
        Locator = Text(reader, 6),
        LogPath = reader.GetString(7),
        StartedAt = time(reader, 8)!.Value,
        EndedAt = time(reader, 9),
        ExitCode = reader.IsDBNull(10) ? null : reader.GetInt32(10),
        Reason = Text(reader, 11),
        Item = reader.IsDBNull(12) ? null : reader.GetInt32(12),
        Result = Text(reader, 13),
    };

    private static string? Text(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static T Parse<T>(string text)
        where T : struct, Enum => Enum.TryParse<T>(text.Replace("_", string.Empty, StringComparison.Ordinal), ignoreCase: true, out var value) ? value : default;
}
