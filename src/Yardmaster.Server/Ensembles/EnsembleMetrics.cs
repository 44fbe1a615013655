using System.Diagnostics.Metrics;

namespace Yardmaster.Server.Ensembles;

/// <summary>The ensembles' instruments, read at each scrape: requests by outcome per ensemble, member calls by status per member.</summary>
internal static class EnsembleMetrics
{
    /// <summary>Creates the instruments on <paramref name="meter"/>.</summary>
    public static void Register(Meter meter, EnsembleStatistics statistics)
    {
        meter.CreateObservableCounter("yard_ensemble_requests", () => Requests(statistics), description: "Ensemble requests by task and outcome (answered, timed_out, failed).");
        meter.CreateObservableCounter("yard_ensemble_member_calls", () => Members(statistics), description: "Member calls of ensembles by task, member and status (answered, late, failed, cancelled).");
    }

    private static IEnumerable<Measurement<long>> Requests(EnsembleStatistics statistics) =>
        statistics.Snapshot().SelectMany(e => e.Outcomes.Select(o => new Measurement<long>(o.Value, new("task", e.Ensemble), new("outcome", o.Key))));

    private static IEnumerable<Measurement<long>> Members(EnsembleStatistics statistics) =>
        statistics.Snapshot().SelectMany(e => e.Members.SelectMany(m => Enum.GetValues<MemberStatus>().Select(s =>
            new Measurement<long>(m.ByStatus[(int)s], new("task", e.Ensemble), new("member", m.Member), new("status", s.ToString().ToLowerInvariant())))));
}
