using System.Diagnostics.Metrics;
using Yardmaster.Core.Pipelines;
using Yardmaster.Runtime.Pipelines;

namespace Yardmaster.Server.Observability;

/// <summary>
/// The job scheduler's instruments: runs and steps by state (gauges over <see cref="JobScheduler.Counts"/>), and,
/// from <see cref="JobScheduler.AttemptEnded"/>, attempts by outcome, their duration, retries and preemptions.
/// </summary>
internal sealed class JobMetrics
{
    private static readonly StepState[] _stepStates = Enum.GetValues<StepState>();
    private static readonly RunState[] _endStates = [RunState.Succeeded, RunState.Failed, RunState.Cancelled];
    private readonly Counter<long> _attempts;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _preemptions;

    private JobMetrics(Meter meter, JobCounts counts)
    {
        _attempts = meter.CreateCounter<long>("yard_step_attempts", description: "Step attempts that ended, by outcome.");
        _duration = meter.CreateHistogram<double>("yard_step_duration_seconds", "s", "Duration of step attempts, by outcome.", tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MetricBuckets.Step });
        _retries = meter.CreateCounter<long>("yard_step_retries", description: "Failed attempts whose step is tried again (a retry used).");
        _preemptions = meter.CreateCounter<long>("yard_step_preemptions", description: "Attempts stopped to give their resources to more urgent work (requeued, no retry used).");
        meter.CreateObservableGauge("yard_runs_active", () => counts.RunsActive, description: "Runs the job scheduler is working on.");
        meter.CreateObservableCounter("yard_runs_ended", () => _endStates.Select(s => new Measurement<long>(counts.RunsEnded(s), new KeyValuePair<string, object?>("state", s.Name()))),
            description: "Runs that ended since the server started, by state.");
        meter.CreateObservableGauge("yard_steps", () => _stepStates.Select(s => new Measurement<long>(counts.Steps(s), new KeyValuePair<string, object?>("state", s.Name()))),
            description: "Steps of the active runs, by state.");
    }

    /// <summary>Creates the instruments and subscribes to the scheduler's attempt ends.</summary>
    public static void Register(Meter meter, JobScheduler scheduler)
    {
        var metrics = new JobMetrics(meter, scheduler.Counts);
        scheduler.AttemptEnded += metrics.OnEnded;
    }

    private void OnEnded(AttemptEnd e)
    {
        var outcome = new KeyValuePair<string, object?>("outcome", e.Outcome.Name());
        _attempts.Add(1, outcome);
        _duration.Record(Math.Max(0, (e.EndedAt - e.StartedAt).TotalSeconds), outcome);
        if (e.Retrying)
        {
            _retries.Add(1);
        }

        if (e.Outcome == AttemptOutcome.Preempted)
        {
            _preemptions.Add(1);
        }
    }
}
