using System.Diagnostics.Metrics;
using Yardmaster.Core.Statistics;

namespace Yardmaster.Server.Observability;

/// <summary>
/// The request instruments of the <c>Yardmaster</c> meter, fed as an <see cref="IRequestSink"/>: requests by
/// task, model and outcome, refusals by reason, queue time, time to first token and latency per task, tokens and
/// SLO attainment. Labels are bounded: names of configured tasks and models, outcomes and reasons from fixed sets.
/// </summary>
/// <remarks>Thread-safe (the instruments are).</remarks>
internal sealed class YardMetrics : IRequestSink
{
    /// <summary>The meter's name, for <c>AddMeter</c>.</summary>
    public const string MeterName = "Yardmaster";

    private readonly Counter<long> _requests;
    private readonly Counter<long> _refusals;
    private readonly Histogram<double> _queue;
    private readonly Histogram<double> _ttft;
    private readonly Histogram<double> _latency;
    private readonly Counter<long> _tokensIn;
    private readonly Counter<long> _tokensOut;
    private readonly Counter<long> _sloCounted;
    private readonly Counter<long> _sloMet;

    /// <summary>Creates the instruments on <paramref name="meter"/>.</summary>
    public YardMetrics(Meter meter)
    {
        var buckets = new InstrumentAdvice<double> { HistogramBucketBoundaries = MetricBuckets.Request };
        _requests = meter.CreateCounter<long>("yard_requests", description: "Finished inference requests by task, model (none when no model served it) and outcome.");
        _refusals = meter.CreateCounter<long>("yard_refusals", description: "Requests refused, timed out or failed, by task and reason (the error code the client saw).");
        _queue = meter.CreateHistogram("yard_request_queue_seconds", "s", "Time from admission to a slot, per task.", advice: buckets);
        _ttft = meter.CreateHistogram("yard_request_ttft_seconds", "s", "Time from arrival to the first token, per task.", advice: buckets);
        _latency = meter.CreateHistogram("yard_request_latency_seconds", "s", "Time from arrival to the end of completed requests, per task.", advice: buckets);
        _tokensIn = meter.CreateCounter<long>("yard_tokens_in", description: "Prompt tokens by task and model.");
        _tokensOut = meter.CreateCounter<long>("yard_tokens_out", description: "Completion tokens by task and model.");
        _sloCounted = meter.CreateCounter<long>("yard_slo_counted", description: "Requests that count for their task's SLO (completed, refused, timed out or failed).");
        _sloMet = meter.CreateCounter<long>("yard_slo_met", description: "Requests that completed within their task's SLO; attainment is yard_slo_met_total / yard_slo_counted_total.");
    }

    /// <inheritdoc />
    public void Record(RequestRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var task = new KeyValuePair<string, object?>("task", record.Task);
        var model = new KeyValuePair<string, object?>("model", record.Model ?? "none");
        _requests.Add(1, task, model, new("outcome", OutcomeName(record.Outcome)));
        if (record.Outcome is RequestOutcome.Refused or RequestOutcome.TimedOut or RequestOutcome.Failed)
        {
            _refusals.Add(1, task, new("reason", RefusalReasons.Bounded(record.Reason)));
        }

        if (record.QueueTime is { } queue)
        {
            _queue.Record(queue.TotalSeconds, task);
        }

        if (record.TimeToFirstToken is { } ttft)
        {
            _ttft.Record(ttft.TotalSeconds, task);
        }

        if (record.Outcome == RequestOutcome.Completed)
        {
            _latency.Record(record.Latency.TotalSeconds, task);
        }

        if (record.Model is not null && (record.PromptTokens > 0 || record.CompletionTokens > 0))
        {
            _tokensIn.Add(record.PromptTokens, task, model);
            _tokensOut.Add(record.CompletionTokens, task, model);
        }

        if (record.SloMet is { } met)
        {
            _sloCounted.Add(1, task);
            _sloMet.Add(met ? 1 : 0, task);
        }
    }

    /// <summary>The outcome as a label value: completed, refused, timed_out, cancelled, failed, invalid.</summary>
    public static string OutcomeName(RequestOutcome outcome) => outcome switch
    {
        RequestOutcome.Completed => "completed",
        RequestOutcome.Refused => "refused",
        RequestOutcome.TimedOut => "timed_out",
        RequestOutcome.Cancelled => "cancelled",
        RequestOutcome.Failed => "failed",
        RequestOutcome.Invalid => "invalid",
        _ => outcome.ToString().ToLowerInvariant(),
    };
}
