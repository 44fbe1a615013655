using System.Globalization;
using System.Text;
using Yardmaster.Core.Statistics;

namespace Yardmaster.Cli.Commands.Bench;

/// <summary><c>requests.csv</c> of a replay: one line per request, times in milliseconds from the replay's start.</summary>
internal static class RequestsCsv
{
    public const string Header = "line,task,due_ms,sent_ms,prompt_tokens,max_tokens,outcome,status,reason,ttft_ms,latency_ms,served_prompt_tokens,served_output_tokens";

    public static async Task WriteAsync(string file, IEnumerable<ReplayedRequest> requests, CancellationToken cancellationToken)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (var r in requests)
        {
            text.AppendJoin(',',
                r.Line.ToString(CultureInfo.InvariantCulture),
                Csv(r.Task),
                Ms(r.Due),
                Ms(r.Sent),
                r.PromptTokens.ToString(CultureInfo.InvariantCulture),
                r.MaxTokens.ToString(CultureInfo.InvariantCulture),
                Outcome(r.Outcome),
                r.Status?.ToString(CultureInfo.InvariantCulture) ?? "",
                Csv(r.Reason ?? ""),
                r.Ttft is { } t ? Ms(t) : "",
                Ms(r.Latency),
                r.ServedPromptTokens?.ToString(CultureInfo.InvariantCulture) ?? "",
                r.ServedOutputTokens?.ToString(CultureInfo.InvariantCulture) ?? "").Append('\n');
        }

        await File.WriteAllTextAsync(file, text.ToString(), new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The outcome's word, as <c>yard history export</c> writes it.</summary>
    public static string Outcome(RequestOutcome outcome) => outcome == RequestOutcome.TimedOut ? "timed_out" : outcome.ToString().ToLowerInvariant();

    private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Csv(string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") < 0 ? text : "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
