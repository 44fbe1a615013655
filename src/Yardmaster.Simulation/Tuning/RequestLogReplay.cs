using Yardmaster.Core.Configuration;
using Yardmaster.Core.History;
using Yardmaster.Core.Statistics;
using Yardmaster.Simulation.Reporting;
using Yardmaster.Simulation.Traces;

namespace Yardmaster.Simulation.Tuning;

/// <summary>
/// The request log of <c>yard serve</c> as <c>yard tune --history</c> and <c>scheduler.adapt</c> use it: the same rows
/// as a trace to simulate, as the outcome they measured (scored as a simulation is), and as a token model per model.
/// </summary>
internal static class RequestLogReplay
{
    /// <summary>
    /// The rows as a trace: arrival from the first, prompt and output tokens, task, model and class. A refused request's
    /// output is unknown (it got none): it is replayed with none, so the simulation is a little kinder to it.
    /// </summary>
    public static IReadOnlyList<TraceRequest> Trace(IReadOnlyList<RequestLogRecord> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            return [];
        }

        var first = rows.Min(r => r.Arrival);
        return [.. rows.Select((r, i) => new TraceRequest(i + 1, r.Arrival - first, r.PromptTokens, r.OutputTokens, r.Model, r.Task, r.Priority))
            .OrderBy(r => r.Offset)];
    }

    /// <summary>
    /// What the rows measured, per task, against the tasks' latency SLOs (as <see cref="Serving.LlmWorkload"/> counts a
    /// simulated request), over <paramref name="duration"/> (the window's length, so goodput is per second of it).
    /// </summary>
    public static RunSummary Measured(IReadOnlyList<RequestLogRecord> rows, IReadOnlyList<TaskDefinition> tasks, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(tasks);
        var slos = tasks.ToDictionary(t => t.Name, t => new SloTarget(null, t.Latency), StringComparer.Ordinal);
        var builder = new RunSummaryBuilder(slos);
        foreach (var r in rows)
        {
            builder.Add(new RequestResult(
                r.Task,
                r.Outcome,
                r.TtftMs is { } t ? TimeSpan.FromMilliseconds(t) : null,
                TimeSpan.FromMilliseconds(r.LatencyMs),
                r.Outcome == RequestOutcome.Completed ? null : 0,
                r.Reason));
        }

        return builder.Build("measured", [], duration);
    }

    /// <summary>
    /// A token model fitted to one model's completed rows: prefill is prompt tokens over the time from leaving the queue to
    /// the first token, decode the other output tokens over the time after it; null when the rows cannot say (no
    /// completed streamed request, or no time measured).
    /// </summary>
    public static ModelSpeedSettings? Speed(IEnumerable<RequestLogRecord> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        double prompt = 0, prefillSeconds = 0, output = 0, decodeSeconds = 0;
        foreach (var r in rows)
        {
            if (r.Outcome != RequestOutcome.Completed || r.TtftMs is not { } ttft)
            {
                continue;
            }

            prompt += r.PromptTokens;
            prefillSeconds += Math.Max(0, ttft - (r.QueueMs ?? 0)) / 1000;
            output += Math.Max(0, r.OutputTokens - 1);
            decodeSeconds += Math.Max(0, r.LatencyMs - ttft) / 1000;
        }

        // A rate from under a millisecond of work is noise; an endpoint that answers at once is served as fast as a rate can say.
        return prefillSeconds < 1e-3 || decodeSeconds < 1e-3 || prompt == 0 || output == 0
            ? null
            : new ModelSpeedSettings(prompt / prefillSeconds, output / decodeSeconds, null);
    }
}
