using System.Globalization;
using System.Text;
using System.Text.Json;
using Yardmaster.Core;
using Yardmaster.Core.Units;

namespace Yardmaster.Simulation.Reporting;

/// <summary>
/// Writes a <see cref="SummaryReport"/> as <c>summary.json</c> (for scripts; durations in ms, shares 0 to 1) and
/// <c>summary.md</c> (a table per run, for people). Pure but for <see cref="WriteAsync"/>.
/// </summary>
public static class SummaryWriter
{
    /// <summary>Writes both files into <paramref name="directory"/> (created when missing); returns their paths.</summary>
    public static async Task<(string Json, string Markdown)> WriteAsync(string directory, SummaryReport report, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var json = Path.Combine(directory, "summary.json");
        var markdown = Path.Combine(directory, "summary.md");
        await File.WriteAllTextAsync(json, ToJson(report), new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(markdown, ToMarkdown(report), new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
        return (json, markdown);
    }

    /// <summary>The report as indented JSON.</summary>
    public static string ToJson(SummaryReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, ReadableJson.Writer with { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("title", report.Title);
            json.WriteString("trace", report.Trace);
            json.WriteString("format", report.Format);
            json.WriteStartArray("notes");
            foreach (var note in report.Notes)
            {
                json.WriteStringValue(note);
            }

            json.WriteEndArray();
            json.WriteStartArray("runs");
            foreach (var run in report.Runs)
            {
                json.WriteStartObject();
                json.WriteString("label", run.Label);
                json.WriteStartObject("parameters");
                foreach (var (k, v) in run.Parameters)
                {
                    json.WriteString(k, v);
                }

                json.WriteEndObject();
                json.WriteNumber("duration_s", Math.Round(run.Duration.TotalSeconds, 3));
                json.WriteStartArray("tasks");
                foreach (var task in run.Tasks)
                {
                    WriteTask(json, task);
                }

                json.WriteEndArray();
                json.WritePropertyName("all");
                WriteTask(json, run.All);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>The report as markdown: the notes, then per run its parameters and one table line per task and the total.</summary>
    public static string ToMarkdown(SummaryReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"# {report.Title}\n\nTrace `{report.Trace}` ({report.Format}).\n\n");
        foreach (var note in report.Notes)
        {
            md.Append(CultureInfo.InvariantCulture, $"- {note}\n");
        }

        foreach (var run in report.Runs)
        {
            md.Append(CultureInfo.InvariantCulture, $"\n## {run.Label}\n\n");
            var parameters = run.Parameters.Select(p => $"{p.Key} {p.Value}").Append($"duration {Number(run.Duration.TotalSeconds, "0.###")} s");
            md.Append(string.Join(" · ", parameters)).Append("\n\n");
            md.Append("| task | requests | completed | refused | timed out | failed | other | SLO | attained | goodput/s | TTFT p50 / p95 / p99 ms | latency p50 / p95 / p99 ms | not completed, by status |\n");
            md.Append("|---|--:|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|---|\n");
            foreach (var task in run.Tasks.Append(run.All))
            {
                var all = ReferenceEquals(task, run.All);
                md.Append(CultureInfo.InvariantCulture,
                    $"| {(all ? "**all**" : task.Task)} | {task.Requests} | {task.Completed} | {task.Refused} | {task.TimedOut} | {task.Failed} | {task.Other} | {(all ? "-" : Slo(task.Slo))} | {Share(task.SloAttainment)} | {Number(task.Goodput, "0.###")} | {Triple(task.Ttft)} | {Triple(task.Latency)} | {Statuses(task)} |\n");
            }
        }

        return md.ToString();
    }

    private static void WriteTask(Utf8JsonWriter json, TaskSummary t)
    {
        json.WriteStartObject();
        json.WriteString("task", t.Task);
        json.WriteNumber("requests", t.Requests);
        json.WriteNumber("completed", t.Completed);
        json.WriteNumber("refused", t.Refused);
        json.WriteNumber("timed_out", t.TimedOut);
        json.WriteNumber("failed", t.Failed);
        json.WriteNumber("other", t.Other);
        if (t.Slo is { } slo)
        {
            json.WriteStartObject("slo");
            Milliseconds(json, "ttft_ms", slo.Ttft?.TotalMilliseconds);
            Milliseconds(json, "latency_ms", slo.Latency?.TotalMilliseconds);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("slo");
        }

        if (t.SloMet is { } met)
        {
            json.WriteNumber("slo_met", met);
        }
        else
        {
            json.WriteNull("slo_met");
        }

        Milliseconds(json, "slo_attainment", t.SloAttainment, 4);
        json.WriteNumber("goodput_per_s", Math.Round(t.Goodput, 4));
        WritePercentiles(json, "ttft_ms", t.Ttft);
        WritePercentiles(json, "latency_ms", t.Latency);
        json.WriteStartObject("refusals_by_status");
        foreach (var (status, count) in t.RefusalsByStatus)
        {
            json.WriteNumber(status.ToString(CultureInfo.InvariantCulture), count);
        }

        json.WriteEndObject();
        json.WriteStartObject("refusals_by_reason");
        foreach (var (reason, count) in t.RefusalsByReason)
        {
            json.WriteNumber(reason, count);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WritePercentiles(Utf8JsonWriter json, string name, Percentiles? p)
    {
        if (p is null)
        {
            json.WriteNull(name);
            return;
        }

        json.WriteStartObject(name);
        json.WriteNumber("p50", Math.Round(p.P50, 3));
        json.WriteNumber("p95", Math.Round(p.P95, 3));
        json.WriteNumber("p99", Math.Round(p.P99, 3));
        json.WriteEndObject();
    }

    private static void Milliseconds(Utf8JsonWriter json, string name, double? value, int digits = 3)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, Math.Round(v, digits));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static string Slo(SloTarget? slo) => slo is null
        ? "none"
        : string.Join(", ", new[] { slo.Ttft is { } t ? "TTFT " + Durations.Format(t) : null, slo.Latency is { } l ? "latency " + Durations.Format(l) : null }.OfType<string>());

    private static string Share(double? share) => share is { } s ? Number(s * 100, "0.0") + "%" : "-";

    private static string Triple(Percentiles? p) => p is null ? "-" : $"{Number(p.P50, "0.#")} / {Number(p.P95, "0.#")} / {Number(p.P99, "0.#")}";

    private static string Statuses(TaskSummary t) => t.RefusalsByStatus.Count == 0
        ? "-"
        : string.Join(", ", t.RefusalsByStatus.Select(s => $"{(s.Key == 0 ? "no answer" : s.Key.ToString(CultureInfo.InvariantCulture))}: {s.Value}"))
          + " (" + string.Join(", ", t.RefusalsByReason.Select(r => $"{r.Key} {r.Value}")) + ")";

    private static string Number(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
