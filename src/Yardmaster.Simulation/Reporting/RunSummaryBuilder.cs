using Yardmaster.Core.History;
using Yardmaster.Core.Statistics;

namespace Yardmaster.Simulation.Reporting;

/// <summary>
/// Adds up <see cref="RequestResult"/>s per task into a <see cref="RunSummary"/>, in memory that does not grow with the
/// number of requests (percentiles from <see cref="LatencyHistogram"/>s). Not thread-safe.
/// </summary>
/// <param name="slos">Each task's target; a task not in it has none (no attainment; goodput counts every completion).</param>
public sealed class RunSummaryBuilder(IReadOnlyDictionary<string, SloTarget> slos)
{
    private readonly Dictionary<string, Tally> _tasks = new(StringComparer.Ordinal);

    /// <summary>Counts one request.</summary>
    public void Add(RequestResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (!_tasks.TryGetValue(result.Task, out var tally))
        {
            tally = new Tally(slos.GetValueOrDefault(result.Task) is { IsEmpty: false } slo ? slo : null);
            _tasks[result.Task] = tally;
        }

        tally.Add(result);
    }

    /// <summary>The summary so far; <paramref name="duration"/> is the run's, from the first request to the last answer.</summary>
    public RunSummary Build(string label, IReadOnlyList<KeyValuePair<string, string>> parameters, TimeSpan duration)
    {
        var seconds = Math.Max(duration.TotalSeconds, 1e-9);
        var tasks = _tasks.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => t.Value.Summarize(t.Key, seconds)).ToList();
        var all = new Tally(null);
        foreach (var tally in _tasks.Values)
        {
            all.Merge(tally);
        }

        var total = all.Summarize("all", seconds);
        var withSlo = _tasks.Values.Where(t => t.Slo is not null).ToList();
        var counted = withSlo.Sum(t => t.Requests - t.Other);
        total = total with
        {
            SloMet = withSlo.Count == 0 ? null : withSlo.Sum(t => t.Met),
            SloAttainment = withSlo.Count == 0 || counted == 0 ? null : (double)withSlo.Sum(t => t.Met) / counted,
            Goodput = tasks.Sum(t => t.Goodput),
        };
        return new RunSummary(label, parameters, duration, tasks, total);
    }

    private sealed class Tally(SloTarget? slo)
    {
        private readonly LatencyHistogram _ttft = new();
        private readonly LatencyHistogram _latency = new();
        private readonly SortedDictionary<int, long> _byStatus = [];
        private readonly SortedDictionary<string, long> _byReason = new(StringComparer.Ordinal);
        private long _completed;
        private long _refused;
        private long _timedOut;
        private long _failed;
        private long _good;

        public SloTarget? Slo { get; } = slo;

        public long Requests { get; private set; }

        public long Other { get; private set; }

        public long Met { get; private set; }

        public void Add(RequestResult r)
        {
            Requests++;
            switch (r.Outcome)
            {
                case RequestOutcome.Completed:
                    _completed++;
                    _latency.Add(r.Latency.TotalMilliseconds);
                    if (r.Ttft is { } ttft)
                    {
                        _ttft.Add(ttft.TotalMilliseconds);
                    }

                    break;
                case RequestOutcome.Refused:
                    _refused++;
                    break;
                case RequestOutcome.TimedOut:
                    _timedOut++;
                    break;
                case RequestOutcome.Failed:
                    _failed++;
                    break;
                default:
                    Other++;
                    break;
            }

            if (r.Outcome != RequestOutcome.Completed)
            {
                _byStatus[r.Status ?? 0] = _byStatus.GetValueOrDefault(r.Status ?? 0) + 1;
                var reason = r.Reason ?? r.Outcome.ToString().ToLowerInvariant();
                _byReason[reason] = _byReason.GetValueOrDefault(reason) + 1;
            }

            var met = Slo?.Met(r) ?? (r.Outcome == RequestOutcome.Completed);
            if (met == true)
            {
                Met++;
                _good++;
            }
        }

        public void Merge(Tally other)
        {
            Requests += other.Requests;
            Other += other.Other;
            _completed += other._completed;
            _refused += other._refused;
            _timedOut += other._timedOut;
            _failed += other._failed;
            _good += other._good;
            _ttft.Merge(other._ttft);
            _latency.Merge(other._latency);
            foreach (var (k, v) in other._byStatus)
            {
                _byStatus[k] = _byStatus.GetValueOrDefault(k) + v;
            }

            foreach (var (k, v) in other._byReason)
            {
                _byReason[k] = _byReason.GetValueOrDefault(k) + v;
            }
        }

        public TaskSummary Summarize(string task, double seconds)
        {
            var counted = Requests - Other;
            return new TaskSummary(
                task, Requests, _completed, _refused, _timedOut, _failed, Other, Slo,
                Slo is null ? null : Met,
                Slo is null || counted == 0 ? null : (double)Met / counted,
                _good / seconds,
                Percentiles.Of(_ttft),
                Percentiles.Of(_latency),
                new SortedDictionary<int, long>(_byStatus),
                new SortedDictionary<string, long>(_byReason, StringComparer.Ordinal));
        }
    }
}
