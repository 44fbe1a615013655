using NpgsqlTypes;

namespace Yardmaster.Storage.Copy;

/// <summary>
/// One table <see cref="StoreCopy"/> carries from SQLite to PostgreSQL: the same columns in both, read in
/// <paramref name="Order"/>, each written as its PostgreSQL type (SQLite's ISO 8601 text becomes <c>timestamptz</c>).
/// </summary>
/// <param name="Name">The table (the same name in both stores).</param>
/// <param name="Columns">Its columns and their PostgreSQL types; the first may be SQLite's <c>rowid</c> read as <c>seq</c>.</param>
/// <param name="Order">The SQLite <c>ORDER BY</c>, so rows keep their order (and foreign keys find their parents).</param>
/// <param name="Identity">The identity column whose sequence is moved past the copied rows; null when there is none.</param>
internal sealed record CopiedTable(string Name, IReadOnlyList<(string Column, NpgsqlDbType Type)> Columns, string Order, string? Identity = null)
{
    /// <summary>Every table of the schema that holds data (the cluster's are live state, not copied), parents first.</summary>
    public static IReadOnlyList<CopiedTable> All { get; } =
    [
        new("tasks", [("name", NpgsqlDbType.Text), ("definition", NpgsqlDbType.Text), ("created_at", NpgsqlDbType.TimestampTz), ("updated_at", NpgsqlDbType.TimestampTz)], "name"),
        new("models", [("name", NpgsqlDbType.Text), ("definition", NpgsqlDbType.Text), ("created_at", NpgsqlDbType.TimestampTz), ("updated_at", NpgsqlDbType.TimestampTz)], "name"),
        new("credentials", [("name", NpgsqlDbType.Text), ("hash", NpgsqlDbType.Text), ("created_at", NpgsqlDbType.TimestampTz)], "name"),
        new("runs", [("id", NpgsqlDbType.Text), ("pipeline", NpgsqlDbType.Text), ("priority", NpgsqlDbType.Text), ("state", NpgsqlDbType.Text), ("definition", NpgsqlDbType.Text),
            ("source_file", NpgsqlDbType.Text), ("working_directory", NpgsqlDbType.Text), ("created_at", NpgsqlDbType.TimestampTz), ("ended_at", NpgsqlDbType.TimestampTz),
            ("reason", NpgsqlDbType.Text), ("seq", NpgsqlDbType.Bigint)], "seq"),
        new("steps", [("run_id", NpgsqlDbType.Text), ("step_id", NpgsqlDbType.Text), ("idx", NpgsqlDbType.Integer), ("state", NpgsqlDbType.Text), ("attempts", NpgsqlDbType.Integer),
            ("retries_used", NpgsqlDbType.Integer), ("not_before", NpgsqlDbType.TimestampTz), ("started_at", NpgsqlDbType.TimestampTz), ("ended_at", NpgsqlDbType.TimestampTz),
            ("reason", NpgsqlDbType.Text), ("result", NpgsqlDbType.Text), ("items", NpgsqlDbType.Integer)], "run_id, idx"),
        new("attempts", [("run_id", NpgsqlDbType.Text), ("step_id", NpgsqlDbType.Text), ("number", NpgsqlDbType.Integer), ("outcome", NpgsqlDbType.Text), ("executor", NpgsqlDbType.Text),
            ("node", NpgsqlDbType.Text), ("gpus", NpgsqlDbType.Text), ("locator", NpgsqlDbType.Text), ("log_path", NpgsqlDbType.Text), ("started_at", NpgsqlDbType.TimestampTz),
            ("ended_at", NpgsqlDbType.TimestampTz), ("exit_code", NpgsqlDbType.Integer), ("reason", NpgsqlDbType.Text), ("item", NpgsqlDbType.Integer), ("result", NpgsqlDbType.Text)], "run_id, step_id, number"),
        new("transitions", [("seq", NpgsqlDbType.Bigint), ("run_id", NpgsqlDbType.Text), ("step_id", NpgsqlDbType.Text), ("attempt", NpgsqlDbType.Integer), ("from_state", NpgsqlDbType.Text),
            ("to_state", NpgsqlDbType.Text), ("reason", NpgsqlDbType.Text), ("at", NpgsqlDbType.TimestampTz)], "seq", Identity: "seq"),
        new("step_durations", [("pipeline", NpgsqlDbType.Text), ("step_id", NpgsqlDbType.Text), ("seconds", NpgsqlDbType.Double)], "pipeline, step_id"),
        new("request_rollups", [("minute", NpgsqlDbType.Bigint), ("task", NpgsqlDbType.Text), ("model", NpgsqlDbType.Text), ("outcome", NpgsqlDbType.Text), ("reason", NpgsqlDbType.Text),
            ("requests", NpgsqlDbType.Bigint), ("tokens_in", NpgsqlDbType.Bigint), ("tokens_out", NpgsqlDbType.Bigint), ("slo_counted", NpgsqlDbType.Bigint), ("slo_met", NpgsqlDbType.Bigint),
            ("queue_ms", NpgsqlDbType.Text), ("ttft_ms", NpgsqlDbType.Text), ("latency_ms", NpgsqlDbType.Text)], "minute"),
        new("request_log", [("rowid", NpgsqlDbType.Bigint), ("request_id", NpgsqlDbType.Text), ("arrival_ms", NpgsqlDbType.Bigint), ("task", NpgsqlDbType.Text), ("model", NpgsqlDbType.Text),
            ("priority", NpgsqlDbType.Text), ("prompt_tokens", NpgsqlDbType.Integer), ("output_tokens", NpgsqlDbType.Integer), ("queue_ms", NpgsqlDbType.Double), ("ttft_ms", NpgsqlDbType.Double),
            ("latency_ms", NpgsqlDbType.Double), ("outcome", NpgsqlDbType.Text), ("reason", NpgsqlDbType.Text)], "rowid", Identity: "seq"),
        new("model_events", [("rowid", NpgsqlDbType.Bigint), ("at_ms", NpgsqlDbType.Bigint), ("kind", NpgsqlDbType.Text), ("model", NpgsqlDbType.Text), ("replica", NpgsqlDbType.Integer),
            ("device", NpgsqlDbType.Text), ("reason", NpgsqlDbType.Text), ("detail", NpgsqlDbType.Text), ("seconds", NpgsqlDbType.Double), ("bytes", NpgsqlDbType.Bigint)], "rowid", Identity: "seq"),
        new("model_quality", [("rowid", NpgsqlDbType.Bigint), ("model", NpgsqlDbType.Text), ("metric", NpgsqlDbType.Text), ("score", NpgsqlDbType.Double), ("count", NpgsqlDbType.Integer),
            ("low", NpgsqlDbType.Double), ("high", NpgsqlDbType.Double), ("dataset", NpgsqlDbType.Text), ("measured_at", NpgsqlDbType.TimestampTz), ("source", NpgsqlDbType.Text)], "rowid", Identity: "seq"),
        new("usage_samples", [("minute", NpgsqlDbType.Bigint), ("node", NpgsqlDbType.Text), ("resource", NpgsqlDbType.Text), ("capacity", NpgsqlDbType.Bigint), ("allocated", NpgsqlDbType.Bigint)],
            "minute, node, resource"),
    ];

    /// <summary>The column's name in PostgreSQL (SQLite's <c>rowid</c> is <c>seq</c> there).</summary>
    public static string TargetName(string column) => column == "rowid" ? "seq" : column;
}
