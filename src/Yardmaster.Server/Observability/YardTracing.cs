using System.Diagnostics;
using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Statistics;
using Yardmaster.Runtime.Pipelines;

namespace Yardmaster.Server.Observability;

/// <summary>
/// The <c>Yardmaster</c> activity source: a span per inference request (<c>yard.request</c>, started by the gateway,
/// tagged when the request ends) and per step attempt (<c>yard.step</c>, recorded when the attempt ends with its
/// real start and end). Exported over OTLP when <c>tracing.otlp_endpoint</c> is set; free when nothing listens.
/// </summary>
internal static class YardTracing
{
    /// <summary>The source's name, for <c>AddSource</c>.</summary>
    public const string Name = "Yardmaster";

    /// <summary>The source.</summary>
    public static ActivitySource Source { get; } = new(Name);

    /// <summary>Starts a request's span (null when no one listens); the caller disposes it.</summary>
    public static Activity? StartRequest(string requestId)
    {
        var activity = Source.StartActivity("yard.request", ActivityKind.Server);
        activity?.SetTag("yard.request_id", requestId);
        return activity;
    }

    /// <summary>Tags the current request span (if it is ours) with how the request ended.</summary>
    public static void EndRequest(RequestRecord record)
    {
        if (Activity.Current is not { } activity || activity.Source != Source)
        {
            return;
        }

        activity.SetTag("yard.task", record.Task);
        activity.SetTag("yard.model", record.Model);
        activity.SetTag("yard.outcome", YardMetrics.OutcomeName(record.Outcome));
        if (record.Reason is { } reason)
        {
            activity.SetTag("yard.reason", reason);
        }

        if (record.Outcome != RequestOutcome.Completed)
        {
            activity.SetStatus(ActivityStatusCode.Error, record.Reason);
        }
    }

    /// <summary>Records one step attempt as a root span from its start to its end.</summary>
    public static void RecordAttempt(AttemptEnd e)
    {
        if (!Source.HasListeners())
        {
            return;
        }

        var previous = Activity.Current;
        Activity.Current = null; // a root span: the scheduler's loop is no request's child
        try
        {
            using var activity = Source.StartActivity("yard.step", ActivityKind.Internal, default(ActivityContext), startTime: e.StartedAt);
            if (activity is null)
            {
                return;
            }

            activity.SetTag("yard.run_id", e.RunId);
            activity.SetTag("yard.pipeline", e.Pipeline);
            activity.SetTag("yard.step", e.StepId);
            activity.SetTag("yard.attempt", e.Number);
            activity.SetTag("yard.executor", e.Executor);
            activity.SetTag("yard.node", e.Node);
            activity.SetTag("yard.outcome", e.Outcome.Name());
            if (e.Outcome != AttemptOutcome.Succeeded)
            {
                activity.SetStatus(ActivityStatusCode.Error, e.Reason);
            }

            activity.SetEndTime(e.EndedAt.UtcDateTime);
        }
        finally
        {
            Activity.Current = previous;
        }
    }
}
