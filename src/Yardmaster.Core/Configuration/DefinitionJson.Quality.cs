using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Yardmaster.Core.Registry;

namespace Yardmaster.Core.Configuration;

public static partial class DefinitionJson
{
    private static readonly string[] _qualityRecordFields = ["metric", "score", "count", "ci_low", "ci_high", "dataset", "source"];
    private static readonly string[] _qualityRequired = ["metric", "score", "count", "dataset"];

    /// <summary>
    /// Reads a quality measurement posted for <paramref name="model"/>:
    /// <c>{"metric", "score", "count", "dataset", "ci_low"?, "ci_high"?, "source"?}</c>. Without an interval, the 95% Wilson
    /// interval of the score and count (<see cref="ModelQualities.Interval"/>); without a source, <c>api</c>. Errors name the field.
    /// </summary>
    public static bool TryReadQuality(JsonElement element, string model, DateTimeOffset now, [NotNullWhen(true)] out ModelQuality? quality, out IReadOnlyList<string> errors)
    {
        var list = new List<string>();
        quality = null;
        errors = list;
        var r = JsonObjectReader.Open(element, string.Empty, "a quality measurement", _qualityRecordFields, list);
        if (r is null)
        {
            return false;
        }

        var required = _qualityRequired.Count(r.Require) == _qualityRequired.Length;
        var metric = r.String("metric");
        var score = r.Number("score", 0, inclusive: true);
        var count = r.Int("count", 1);
        var dataset = r.String("dataset");
        var low = r.Number("ci_low", 0, inclusive: true);
        var high = r.Number("ci_high", 0, inclusive: true);
        var source = r.String("source") ?? "api";
        if ((low is null) != (high is null))
        {
            r.Error("'ci_low' and 'ci_high' go together: give both or neither");
        }

        if (!required || list.Count > 0 || metric is null || score is not { } s || count is not { } n || dataset is null)
        {
            return false;
        }

        if (s > 1)
        {
            list.Add($"'score' must be in [0, 1], got {s}");
            return false;
        }

        var (wilsonLow, wilsonHigh) = ModelQualities.Interval(s, n);
        var read = new ModelQuality(model, metric, s, n, low ?? wilsonLow, high ?? wilsonHigh, dataset, now, source);
        if (ModelQualities.Check(read) is { } error)
        {
            list.Add($"'{(error.Field is "low" ? "ci_low" : error.Field is "high" ? "ci_high" : error.Field)}' {error.Message}");
            return false;
        }

        quality = read;
        return true;
    }

    /// <summary>Writes one measurement: <c>{"model", "metric", "score", "count", "ci_low", "ci_high", "dataset", "measured_at", "source"}</c>.</summary>
    public static void WriteQuality(Utf8JsonWriter writer, ModelQuality quality)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(quality);
        writer.WriteStartObject();
        writer.WriteString("model", quality.Model);
        writer.WriteString("metric", quality.Metric);
        writer.WriteNumber("score", Math.Round(quality.Score, 6));
        writer.WriteNumber("count", quality.Count);
        writer.WriteNumber("ci_low", Math.Round(quality.Low, 6));
        writer.WriteNumber("ci_high", Math.Round(quality.High, 6));
        writer.WriteString("dataset", quality.Dataset);
        writer.WriteString("measured_at", quality.MeasuredAt.UtcDateTime);
        writer.WriteString("source", quality.Source);
        writer.WriteEndObject();
    }
}
