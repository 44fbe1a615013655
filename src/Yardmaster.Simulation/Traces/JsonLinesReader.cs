using System.Text.Json;

namespace Yardmaster.Simulation.Traces;

/// <summary>
/// One JSON object per line: Mooncake's <c>timestamp</c> (ms), <c>input_length</c>, <c>output_length</c> and optional
/// <c>hash_ids</c>, and (<c>yard history export --format jsonl</c>) <c>task</c>, <c>model</c>, <c>priority</c> (the
/// class; <c>class</c> is read too), null or absent when unknown. Other fields are skipped.
/// </summary>
internal static class JsonLinesReader
{
    private const string Expected = "one JSON object per line with timestamp (ms), input_length, output_length";

    public static IReadOnlyList<TraceRequest> Read(Stream stream, TraceProblems problems, string format)
    {
        var lines = new Utf8LineReader(stream);
        var names = new NamePool();
        var rows = new TraceRows();
        var prefix = new List<long>();
        var seenObject = false;
        while (lines.TryRead(out var line))
        {
            var text = line.Trim(" \t"u8);
            if (text.IsEmpty)
            {
                continue;
            }

            if (!seenObject && text[0] != (byte)'{')
            {
                throw new TraceFormatException($"{problems.File}:{lines.Line}: not JSON lines ('{TraceRows.Shown(text)}'); a {format} trace has {Expected}");
            }

            seenObject = true;
            var row = new JsonRow();
            string? error;
            try
            {
                error = Parse(text, ref row, names, prefix);
            }
            catch (JsonException e)
            {
                error = $"not a JSON object: {e.Message}";
            }

            if (error is not null)
            {
                problems.Add(lines.Line, error);
                continue;
            }

            rows.Add(lines.Line, row.Ticks, row.Input, row.Output, row.Model, row.Task, row.Priority, prefix: row.Prefix);
        }

        return rows.Finish();
    }

    private static string? Parse(ReadOnlySpan<byte> text, ref JsonRow row, NamePool names, List<long> prefix)
    {
        var json = new Utf8JsonReader(text);
        if (!json.Read() || json.TokenType != JsonTokenType.StartObject)
        {
            return "not a JSON object";
        }

        bool time = false, input = false, output = false;
        while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
        {
            var name = json.ValueSpan;
            json.Read();
            if (name.SequenceEqual("timestamp"u8))
            {
                if (json.TokenType != JsonTokenType.Number || !json.TryGetDouble(out var ms) || !double.IsFinite(ms) || ms < 0)
                {
                    return $"'timestamp' must be a number ≥ 0 of milliseconds, got {Shown(ref json)}";
                }

                row.Ticks = (long)Math.Round(ms * TimeSpan.TicksPerMillisecond);
                time = true;
            }
            else if (name.SequenceEqual("input_length"u8))
            {
                row.Input = Count(ref json, "input_length", out var error) ?? -1;
                if (error is not null)
                {
                    return error;
                }

                input = true;
            }
            else if (name.SequenceEqual("output_length"u8))
            {
                row.Output = Count(ref json, "output_length", out var error) ?? -1;
                if (error is not null)
                {
                    return error;
                }

                output = true;
            }
            else if (name.SequenceEqual("hash_ids"u8))
            {
                var error = PrefixBlocks(ref json, prefix);
                if (error is not null)
                {
                    return error;
                }

                row.Prefix = prefix.Count == 0 ? null : [.. prefix];
            }
            else if (name.SequenceEqual("task"u8) || name.SequenceEqual("model"u8) || name.SequenceEqual("priority"u8) || name.SequenceEqual("class"u8))
            {
                var field = name[0] == (byte)'t' ? "task" : name[0] == (byte)'m' ? "model" : name[0] == (byte)'p' ? "priority" : "class";
                if (json.TokenType is not (JsonTokenType.String or JsonTokenType.Null))
                {
                    return $"'{field}' must be a string or null, got {Shown(ref json)}";
                }

                var value = json.TokenType == JsonTokenType.Null ? null : json.ValueIsEscaped ? json.GetString() : names.Get(json.ValueSpan);
                value = string.IsNullOrEmpty(value) ? null : value;
                if (field == "task")
                {
                    row.Task = value;
                }
                else if (field == "model")
                {
                    row.Model = value;
                }
                else
                {
                    row.Priority ??= value;
                }
            }
            else
            {
                json.Skip();
            }
        }

        if (json.TokenType != JsonTokenType.EndObject)
        {
            return "not a JSON object";
        }

        var missing = new[] { (time, "timestamp"), (input, "input_length"), (output, "output_length") }.Where(m => !m.Item1).Select(m => m.Item2).ToList();
        return missing.Count > 0 ? $"no {string.Join(", ", missing)}; expected {Expected}" : null;
    }

    private static int? Count(ref Utf8JsonReader json, string field, out string? error)
    {
        error = null;
        if (json.TokenType == JsonTokenType.Number && json.TryGetInt32(out var n) && n >= 0)
        {
            return n;
        }

        error = $"'{field}' must be a whole number ≥ 0, got {Shown(ref json)}";
        return null;
    }

    private static string? PrefixBlocks(ref Utf8JsonReader json, List<long> prefix)
    {
        prefix.Clear();
        if (json.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (json.TokenType != JsonTokenType.StartArray)
        {
            return $"'hash_ids' must be an array of whole numbers, got {Shown(ref json)}";
        }

        while (json.Read() && json.TokenType != JsonTokenType.EndArray)
        {
            if (json.TokenType != JsonTokenType.Number || !json.TryGetInt64(out var id))
            {
                return $"'hash_ids' must be an array of whole numbers, got {Shown(ref json)} in it";
            }

            prefix.Add(id);
        }

        return null;
    }

    private static string Shown(ref Utf8JsonReader json) => json.TokenType switch
    {
        JsonTokenType.String => $"\"{TraceRows.Shown(json.ValueSpan)}\"",
        JsonTokenType.Number => TraceRows.Shown(json.ValueSpan),
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => "null",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.StartObject => "an object",
        _ => json.TokenType.ToString(),
    };

    private struct JsonRow
    {
        public long Ticks;
        public int Input;
        public int Output;
        public string? Model;
        public string? Task;
        public string? Priority;
        public long[]? Prefix;
    }
}
