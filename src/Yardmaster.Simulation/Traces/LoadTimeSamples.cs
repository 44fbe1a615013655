namespace Yardmaster.Simulation.Traces;

/// <summary>
/// Measured model load times to sample from: Alibaba's <c>basemodel_update_latency_anon.csv</c>
/// (<c>timestamp_anon,value,container_ip</c>, <c>value</c> in milliseconds), or any CSV with a <c>value</c> column.
/// </summary>
public static class LoadTimeSamples
{
    private static readonly string[] _required = ["value"];

    /// <summary>
    /// The load times of <paramref name="path"/>, in the file's order. A row whose <c>value</c> is not a number ≥ 0
    /// is added to <paramref name="problems"/> and skipped (fatal when <see cref="TraceProblems.Strict"/>).
    /// </summary>
    /// <exception cref="TraceFormatException">No header with a <c>value</c> column, or a malformed row under <c>--strict</c>.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static IReadOnlyList<TimeSpan> Read(string path, TraceProblems problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        var lines = new Utf8LineReader(stream);
        var fields = new CsvFields();
        var value = CsvHeader.Read(lines, fields, problems.File, "load-time (basemodel_update_latency_anon.csv)", _required).Find("value");
        var samples = new List<TimeSpan>();
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

            if (fields.Count <= value)
            {
                problems.Add(lines.Line, $"{fields.Count} fields, no value");
                continue;
            }

            var ms = TraceRows.NonNegative(fields[value], "value", out error);
            if (ms is null)
            {
                problems.Add(lines.Line, error!);
                continue;
            }

            samples.Add(TimeSpan.FromMilliseconds(ms.Value));
        }

        return samples;
    }
}
