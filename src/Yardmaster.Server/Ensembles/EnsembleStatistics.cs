using System.Collections.Concurrent;

namespace Yardmaster.Server.Ensembles;

/// <summary>
/// Counts per ensemble (requests answered, timed out, failed) and per member (answered, late, failed, cancelled, chosen,
/// and the latency of its answers), since the server started. Thread-safe (one lock per ensemble).
/// </summary>
internal sealed class EnsembleStatistics
{
    private readonly ConcurrentDictionary<string, Totals> _ensembles = new(StringComparer.Ordinal);

    /// <summary>Counts one request of <paramref name="ensemble"/>: its outcome ("answered", "timed_out", "failed") and each member's part.</summary>
    public void Record(string ensemble, string outcome, IReadOnlyList<MemberResult> members, string? chosen)
    {
        var totals = _ensembles.GetOrAdd(ensemble, _ => new Totals());
        lock (totals)
        {
            totals.Outcomes[outcome] = totals.Outcomes.GetValueOrDefault(outcome) + 1;
            foreach (var m in members)
            {
                if (!totals.Members.TryGetValue(m.Member, out var member))
                {
                    member = new MemberTotals();
                    totals.Members[m.Member] = member;
                }

                member.ByStatus[(int)m.Status]++;
                if (m.Status == MemberStatus.Answered)
                {
                    member.AnsweredMs += m.Latency.TotalMilliseconds;
                }

                if (m.Member == chosen)
                {
                    member.Chosen++;
                }
            }
        }
    }

    /// <summary>A copy of every ensemble's counts, by name.</summary>
    public IReadOnlyList<EnsembleCounts> Snapshot()
    {
        var list = new List<EnsembleCounts>();
        foreach (var (name, totals) in _ensembles.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            lock (totals)
            {
                list.Add(new EnsembleCounts(
                    name,
                    new Dictionary<string, long>(totals.Outcomes),
                    [.. totals.Members.Select(m => new MemberCounts(m.Key, [.. m.Value.ByStatus], m.Value.Chosen, m.Value.ByStatus[(int)MemberStatus.Answered] == 0 ? null : m.Value.AnsweredMs / m.Value.ByStatus[(int)MemberStatus.Answered]))]));
            }
        }

        return list;
    }

    private sealed class Totals
    {
        public Dictionary<string, long> Outcomes { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, MemberTotals> Members { get; } = new(StringComparer.Ordinal);
    }

    private sealed class MemberTotals
    {
        public long[] ByStatus { get; } = new long[Enum.GetValues<MemberStatus>().Length];

        public long Chosen { get; set; }

        public double AnsweredMs { get; set; }
    }
}
