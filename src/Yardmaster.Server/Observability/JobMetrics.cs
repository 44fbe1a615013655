using System.Diagnostics.Metrics;
using Yardmaster.Core.Pipelines;
using Yardmaster.Runtime.Pipelines;

namespace Yardmaster.Server.Observability;

/// <summary>
/// The job scheduler's instruments: runs and steps by state (gauges over <see cref="JobScheduler.Counts"/>), and,
/// from <see cref="JobScheduler.AttemptEnded"/>, attempts by outcome, their duration, retries and preemptions. The
/// gauges follow the scheduler attached last (an instance that leads again gets a new scheduler); none reads as zero.
/// </summary>
internal sealed class JobMetrics
{
    private static readonly JobCounts _none = new();
    private JobCounts _counts = _none;
    private static readonly StepState[] _stepStates = Enum.GetValues<StepState>();
    private static readonly RunState[] _endStates = [RunState.Succeeded, RunState.Failed, RunState.Cancelled];
    private readonly Counter<long> _attempts;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _preemptions;

    private JobMetrics(Meter meter)
    {
        _attempts = meter.CreateCounter<long>("yard_step_attempts", description: "Step attempts that ended, by outcome.");
        _duration = meter.CreateHistogram<double>("yard_step_duration_seconds", "s", "Duration of step attempts, by outcome.", tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MetricBuckets.Step });
        _retries = meter.CreateCounter<long>("yard_step_retries", description: "Failed attempts whose step is tried again (a retry used).");
        _preemptions = meter.CreateCounter<long>("yard_step_preemptions", description: "Attempts stopped to give their resources to more urgent work (requeued, no retry used).");
        meter.CreateObservableGauge("yard_runs_active", () => Counts.RunsActive, description: "Runs the job scheduler is working on.");
        meter.CreateObservableCounter("yard_runs_ended", () => _endStates.Select(s => new Measurement<long>(Counts.RunsEnded(s), new KeyValuePair<string, object?>("state", s.Name()))),
            description: "Runs that ended since the server started, by state.");
        meter.CreateObservableGauge("yard_steps", () => _stepStates.Select(s => new Measurement<long>(Counts.Steps(s), new KeyValuePair<string, object?>("state", s.Name()))),
            description: "Steps of the active runs, by state.");
    }

    private JobCounts Counts => Volatile.Read(ref _counts);

    /// <summary>Creates the instruments; <see cref="Attach"/> gives them a scheduler.</summary>
    public static JobMetrics Register(Meter meter) => new(meter);

    /// <summary>Follows <paramref name="scheduler"/> from now on: its counts, and its attempt ends.</summary>
    public void Attach(JobScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        Volatile.Write(ref _counts, scheduler.Counts);
        scheduler.AttemptEnded += OnEnded;
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
