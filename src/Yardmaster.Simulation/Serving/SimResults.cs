using Yardmaster.Core.Serving;
using Yardmaster.Core.Statistics;
using Yardmaster.Simulation.Reporting;

namespace Yardmaster.Simulation.Serving;

/// <summary>A simulated request's end as the gateway would have answered it, for <see cref="RunSummaryBuilder"/>.</summary>
internal static class SimResults
{
    public static RequestResult Of(SimRequest request, string task)
    {
        var latency = request.End!.Value - request.Arrival;
        return request.Outcome switch
        {
            SimOutcome.Completed => new RequestResult(task, RequestOutcome.Completed, request.FirstToken - request.Arrival, latency),
            SimOutcome.Expired => new RequestResult(task, RequestOutcome.TimedOut, null, latency, 504, "deadline_exceeded"),
            SimOutcome.NoCapacity => new RequestResult(task, RequestOutcome.Refused, null, latency, 503, "no_capacity"),
            _ => request.Verdict switch
            {
                AdmissionVerdict.DeadlinePassed => new RequestResult(task, RequestOutcome.TimedOut, null, latency, 504, "deadline_exceeded"),
                AdmissionVerdict.QueueFull => new RequestResult(task, RequestOutcome.Refused, null, latency, 429, "queue_full"),
                AdmissionVerdict.RateLimit => new RequestResult(task, RequestOutcome.Refused, null, latency, 429, "rate_limit"),
                AdmissionVerdict.ConcurrencyLimit => new RequestResult(task, RequestOutcome.Refused, null, latency, 429, "concurrency_limit"),
                AdmissionVerdict.DeadlineUnmeetable => new RequestResult(task, RequestOutcome.Refused, null, latency, 503, "deadline_unmeetable"),
                _ => new RequestResult(task, RequestOutcome.Refused, null, latency, 503, "no_capacity"),
            },
        };
    }
}
