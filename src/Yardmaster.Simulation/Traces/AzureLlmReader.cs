namespace Yardmaster.Simulation.Traces;

/// <summary>
/// The Azure LLM inference trace (<c>TIMESTAMP,ContextTokens,GeneratedTokens</c>) and <c>yard history export --format
/// csv</c>, which has the same columns first and then <c>task</c>, <c>model</c>, <c>priority</c> (the class), taken when
/// present (an empty field is null).
/// </summary>
internal static class AzureLlmReader
{
    private static readonly string[] _required = ["TIMESTAMP", "ContextTokens", "GeneratedTokens"];

    public static IReadOnlyList<TraceRequest> Read(Stream stream, TraceProblems problems)
    {
        var lines = new Utf8LineReader(stream);
        var fields = new CsvFields();
        var header = CsvHeader.Read(lines, fields, problems.File, "azure-llm", _required);
        int time = header.Find("TIMESTAMP"), context = header.Find("ContextTokens"), generated = header.Find("GeneratedTokens");
        int task = header.Find("task"), model = header.Find("model"), priority = header.Find("priority", "class");
        var width = Math.Max(Math.Max(time, context), generated) + 1;
        var names = new NamePool();
        var rows = new TraceRows();
        while (lines.TryRead(out var line))
        {
            if (line.IsEmpty)
            {
                continue;
            }

            if (!fields.Split(line, out var error))
            {
                problems.Add(lines.Line, error!);
                continue;
            }

            if (fields.Count < width)
            {
                problems.Add(lines.Line, $"{fields.Count} fields, expected {header.Width} ({string.Join(",", _required)}...)");
                continue;
            }

            if (!TraceTimestamp.TryParse(fields[time], out var ticks))
            {
                problems.Add(lines.Line, $"TIMESTAMP '{TraceRows.Shown(fields[time])}' is not a time ({TraceTimestamp.Form})");
                continue;
            }

            var prompt = TraceRows.Count(fields[context], "ContextTokens", out error);
            var output = prompt is null ? null : TraceRows.Count(fields[generated], "GeneratedTokens", out error);
            if (prompt is null || output is null)
            {
                problems.Add(lines.Line, error!);
                continue;
            }

            rows.Add(lines.Line, ticks, prompt.Value, output.Value,
                model: Optional(fields, model, names), task: Optional(fields, task, names), priority: Optional(fields, priority, names));
        }

        return rows.Finish();
    }

    private static string? Optional(CsvFields fields, int index, NamePool names) => index >= 0 && index < fields.Count ? fields.Text(index, names) : null;
}
