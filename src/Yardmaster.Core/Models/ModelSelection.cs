using System.Globalization;

namespace Yardmaster.Core.Models;

/// <summary>
/// Chooses, among a task's candidate models, the one whose request is predicted to start soonest, then the
/// cheapest, then the first declared. Pure and thread-safe.
/// </summary>
/// <remarks>
/// <para>Predicted start of a candidate:</para>
/// <list type="bullet">
/// <item>loaded (<see cref="CandidateSnapshot.ReadySlots"/> &gt; 0) with a free slot and nothing queued: zero;</item>
/// <item>loaded otherwise: the queue wait <c>(Queued + 1) / ReadySlots × MeanServiceTime</c>, or, when a further
/// replica is loading or could be loaded now (<see cref="CandidateSnapshot.CanLoadNow"/> and
/// <see cref="CandidateSnapshot.MoreReplicasAllowed"/>), the load time if that is sooner;</item>
/// <item>not loaded with a load running: the load time plus the waves ahead once it is ready,
/// <c>floor(Queued / ReplicaSlots) × MeanServiceTime</c>;</item>
/// <item>not loaded, no load running, and one can start now (fits and allowed): the load time;</item>
/// <item>otherwise it cannot serve now and is not chosen.</item>
/// </list>
/// <para>
/// So loaded and idle beats loaded and busy, which beats not loaded whenever the load time exceeds the
/// queue wait. When no candidate can serve, the answer is a refusal naming each candidate's reason; the
/// runtime then waits (bounded) for memory or answers 503.
/// </para>
/// </remarks>
public static class ModelSelection
{
    /// <summary>Chooses among <paramref name="candidates"/> (in declared order).</summary>
    /// <exception cref="ArgumentException">The list is empty, or a candidate has negative counts or times.</exception>
    public static ModelChoice Choose(IReadOnlyList<CandidateSnapshot> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates.Count == 0)
        {
            throw new ArgumentException("a task has at least one candidate model", nameof(candidates));
        }

        var best = -1;
        var bestStart = TimeSpan.MaxValue;
        for (var i = 0; i < candidates.Count; i++)
        {
            var start = PredictStart(candidates[i]);
            if (start is not { } s)
            {
                continue;
            }

            if (best < 0 || s < bestStart || (s == bestStart && candidates[i].Cost < candidates[best].Cost))
            {
                best = i;
                bestStart = s;
            }
        }

        return best >= 0
            ? new ModelChoice(best, bestStart, null)
            : ModelChoice.Refuse(string.Join("; ", candidates.Select(c => $"{c.Model}: not loaded and {WhyNotLoadable(c)}")));
    }

    /// <summary>The predicted time until a request sent to <paramref name="candidate"/> holds a slot; null when it cannot serve now.</summary>
    /// <exception cref="ArgumentException">The candidate has negative counts or times.</exception>
    public static TimeSpan? PredictStart(CandidateSnapshot candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        Validate(candidate);
        var canAdd = candidate.CanLoadNow && candidate.MoreReplicasAllowed;
        if (candidate.ReadySlots > 0)
        {
            if (candidate.FreeSlots > 0 && candidate.Queued == 0)
            {
                return TimeSpan.Zero;
            }

            var wait = candidate.MeanServiceTime * ((candidate.Queued + 1) / (double)candidate.ReadySlots);
            return candidate.Loading || canAdd ? Min(wait, candidate.LoadTime) : wait;
        }

        if (candidate.Loading)
        {
            var waves = candidate.ReplicaSlots > 0 ? candidate.Queued / candidate.ReplicaSlots : 0;
            return candidate.LoadTime + (candidate.MeanServiceTime * waves);
        }

        return canAdd ? candidate.LoadTime : null;
    }

    /// <summary>
    /// Explains <paramref name="choice"/> over the same <paramref name="candidates"/>: for each, its state and why it
    /// was or was not chosen. The chosen one's reason says what decided: the only candidate, the only ready model,
    /// the soonest predicted start, or the cheapest of those equally soon.
    /// </summary>
    public static IReadOnlyList<CandidateVerdict> Explain(IReadOnlyList<CandidateSnapshot> candidates, ModelChoice choice)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(choice);
        var starts = candidates.Select(PredictStart).ToList();
        var verdicts = new List<CandidateVerdict>(candidates.Count);
        for (var i = 0; i < candidates.Count; i++)
        {
            var c = candidates[i];
            var state = State(c, starts[i]);
            string reason;
            if (i == choice.Index)
            {
                reason = $"{state}; chosen: {WhyChosen(candidates, starts, i)}";
            }
            else if (starts[i] is null)
            {
                reason = $"{state}; not chosen: cannot serve now";
            }
            else
            {
                var winner = candidates[choice.Index];
                reason = starts[i] > starts[choice.Index] ? $"{state}; not chosen: {winner.Model} starts sooner" : $"{state}; not chosen: {winner.Model} is as soon and cheaper or declared first";
            }

            verdicts.Add(new CandidateVerdict(c.Model, i == choice.Index, starts[i], reason));
        }

        return verdicts;
    }

    /// <summary>The chosen candidate's reason, short: e.g. "only ready model".</summary>
    private static string WhyChosen(IReadOnlyList<CandidateSnapshot> candidates, List<TimeSpan?> starts, int index)
    {
        if (candidates.Count == 1)
        {
            return "only candidate";
        }

        if (candidates[index].ReadySlots > 0 && candidates.Count(c => c.ReadySlots > 0) == 1)
        {
            return "only ready model";
        }

        if (starts.Count(s => s is not null) == 1)
        {
            return "only model that can serve now";
        }

        return starts.Count(s => s == starts[index]) > 1 ? "cheapest of the soonest to start" : "soonest predicted start";
    }

    private static string State(CandidateSnapshot c, TimeSpan? start)
    {
        var ms = start is { } s ? string.Create(CultureInfo.InvariantCulture, $", predicted start {s.TotalMilliseconds:0} ms") : string.Empty;
        if (c.ReadySlots > 0)
        {
            return $"loaded, {c.FreeSlots} of {c.ReadySlots} slots free, {c.Queued} queued ahead{ms}";
        }

        if (c.Loading)
        {
            return $"loading, {c.Queued} queued ahead{ms}";
        }

        return start is null ? $"not loaded and {WhyNotLoadable(c)}" : $"not loaded, can load now{ms}";
    }

    private static string WhyNotLoadable(CandidateSnapshot c) =>
        !c.MoreReplicasAllowed ? "no replica allowed (replicas.max reached)" : "does not fit in memory now, even evicting idle replicas";

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a <= b ? a : b;

    private static void Validate(CandidateSnapshot c)
    {
        if (c.FreeSlots < 0 || c.Queued < 0 || c.InFlight < 0 || c.ReadySlots < 0 || c.ReplicaSlots < 0
            || c.MeanServiceTime < TimeSpan.Zero || c.LoadTime < TimeSpan.Zero || double.IsNaN(c.Cost))
        {
            throw new ArgumentException($"candidate {c.Model} has a negative count or time: {c}", nameof(c));
        }
    }
}
