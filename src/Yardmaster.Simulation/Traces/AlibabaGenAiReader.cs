namespace Yardmaster.Simulation.Traces;

/// <summary>
/// Alibaba's GenAI LoRA request trace (<c>cluster-trace-v2026-GenAI/lora_request_trace.csv</c>): one row per submitted
/// request, its arrival <c>gmt_create</c> (1 s resolution), its base model <c>checkpoint_model_version_id</c>, its
/// service time <c>exec_time_seconds</c> and <c>prompt_length</c>. A row whose <c>predict_status</c> is
/// <c>PENDING</c> never ran (the trace gives it no model, no prompt and no time) and is not a request: it is left out,
/// not counted as malformed. <c>FAILED</c> rows ran on their model for their time before failing and are kept, as are
/// <c>SUCCEED</c> and <c>PROCESSING</c> (still running when the trace ends) rows.
/// </summary>
internal static class AlibabaGenAiReader
{
    private static readonly string[] _required = ["gmt_create", "predict_status", "exec_time_seconds", "prompt_length", "checkpoint_model_version_id"];

    public static IReadOnlyList<TraceRequest> Read(Stream stream, TraceProblems problems)
    {
        var lines = new Utf8LineReader(stream);
        var fields = new CsvFields();
        var header = CsvHeader.Read(lines, fields, problems.File, "alibaba-genai", _required);
        int time = header.Find("gmt_create"), status = header.Find("predict_status"), exec = header.Find("exec_time_seconds");
        int prompt = header.Find("prompt_length"), model = header.Find("checkpoint_model_version_id");
        var width = new[] { time, status, exec, prompt, model }.Max() + 1;
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
                problems.Add(lines.Line, $"{fields.Count} fields, expected {header.Width}");
                continue;
            }

            if (fields[status].SequenceEqual("PENDING"u8))
            {
                continue;
            }

            if (!TraceTimestamp.TryParse(fields[time], out var ticks))
            {
                problems.Add(lines.Line, $"gmt_create '{TraceRows.Shown(fields[time])}' is not a time ({TraceTimestamp.Form})");
                continue;
            }

            var name = fields.Text(model, names);
            if (name is null)
            {
                problems.Add(lines.Line, "checkpoint_model_version_id is empty: the request names no model");
                continue;
            }

            var length = TraceRows.Count(fields[prompt], "prompt_length", out error);
            var seconds = length is null ? null : TraceRows.NonNegative(fields[exec], "exec_time_seconds", out error);
            if (length is null || seconds is null)
            {
                problems.Add(lines.Line, error!);
                continue;
            }

            rows.Add(lines.Line, ticks, length.Value, 0, model: name, service: TimeSpan.FromSeconds(seconds.Value));
        }

        return rows.Finish();
    }
}
