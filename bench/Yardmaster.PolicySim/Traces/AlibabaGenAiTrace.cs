using System.Globalization;

namespace Yardmaster.PolicySim.Traces;

/// <summary>Reads the <c>alibaba-genai-v2026</c> request trace and base-model load latencies.</summary>
internal static class AlibabaGenAiTrace
{
    public const string RequestFile = "alibaba-genai-v2026/lora_request_trace.csv";
    public const string LatencyFile = "alibaba-genai-v2026/basemodel_update_latency_anon.csv";

    /// <summary>Every request (whatever its <c>predict_status</c>: a failed one still needed its model), in time order (stable).</summary>
    public static IReadOnlyList<LoraRequest> ReadRequests(string path)
    {
        var lines = File.ReadLines(path).ToList();
        var header = lines[0].Split(',');
        var at = Array.IndexOf(header, "gmt_create");
        var exec = Array.IndexOf(header, "exec_time_seconds");
        var model = Array.IndexOf(header, "checkpoint_model_version_id");
        return lines
            .Skip(1)
            .Where(l => l.Length > 0)
            .Select(l => l.Split(','))
            .Select(f => new LoraRequest(
                new DateTimeOffset(DateTime.ParseExact(f[at], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal), TimeSpan.Zero),
                f[model],
                TimeSpan.FromSeconds(f[exec].Length == 0 ? 0 : double.Parse(f[exec], CultureInfo.InvariantCulture))))
            .OrderBy(r => r.At)
            .ToList();
    }

    /// <summary>The measured load latencies (<c>value</c>, milliseconds), sorted ascending.</summary>
    public static IReadOnlyList<TimeSpan> ReadLoadLatencies(string path)
    {
        var lines = File.ReadLines(path).ToList();
        var value = Array.IndexOf(lines[0].Split(','), "value");
        return lines
            .Skip(1)
            .Where(l => l.Length > 0)
            .Select(l => TimeSpan.FromMilliseconds(double.Parse(l.Split(',')[value], CultureInfo.InvariantCulture)))
            .Order()
            .ToList();
    }
}
