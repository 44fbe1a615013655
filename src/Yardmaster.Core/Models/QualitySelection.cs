using System.Globalization;
using Yardmaster.Core.Configuration;

namespace Yardmaster.Core.Models;

/// <summary>
/// Model selection for a task with a quality floor (<c>quality: { metric, min }</c>). Pure and thread-safe.
/// </summary>
/// <remarks>
/// <para>Which candidates may be chosen: those whose latest score on the metric is at least the floor. When none is,
/// the best measured ones (the highest score; the floor is then unmet, and said so); when none was measured at all,
/// every candidate (also unmet).</para>
/// <para>Which of those: the cheapest of the ones predicted to answer within the deadline (predicted start plus the
/// request's predicted service time), then the sooner, then the first declared; when none is predicted in time, the
/// soonest to start, as <see cref="ModelSelection"/> does.</para>
/// </remarks>
public static class QualitySelection
{
    /// <summary>Which candidates the floor lets through, whether it is unmet, and the words for the decision.</summary>
    /// <param name="qualities">Each candidate's latest score on the floor's metric; null when never measured.</param>
    /// <param name="floor">The task's floor.</param>
    public static (bool[] Eligible, bool Unmet, string Words) Eligible(IReadOnlyList<double?> qualities, QualityFloor floor)
    {
        ArgumentNullException.ThrowIfNull(qualities);
        ArgumentNullException.ThrowIfNull(floor);
        var meets = qualities.Select(q => q >= floor.Min).ToArray();
        var count = meets.Count(m => m);
        if (count > 0)
        {
            return (meets, false, Invariant($"{count} of {qualities.Count} meet quality {floor.Min:0.###} on {floor.Metric}"));
        }

        if (qualities.Max() is not { } best)
        {
            return (qualities.Select(_ => true).ToArray(), true, $"no candidate has a quality measured on {floor.Metric}; quality floor unmet");
        }

        return (qualities.Select(q => q == best).ToArray(), true, Invariant($"none meets quality {floor.Min:0.###} on {floor.Metric}; the best measured ({best:0.###}) is used; quality floor unmet"));
    }

    /// <summary>
    /// Chooses among <paramref name="candidates"/> (already the eligible ones, in declared order): the cheapest predicted to
    /// finish within <paramref name="slack"/>, else the soonest to start. A refusal when none can serve now.
    /// </summary>
    /// <param name="candidates">What selection knows of each.</param>
    /// <param name="services">The request's predicted service time on each, in the same order.</param>
    /// <param name="slack">Time from now to the request's deadline.</param>
    public static (ModelChoice Choice, string Words) Choose(IReadOnlyList<CandidateSnapshot> candidates, IReadOnlyList<TimeSpan> services, TimeSpan slack)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(services);
        var starts = candidates.Select(ModelSelection.PredictStart).ToList();
        var best = -1;
        var inTime = 0;
        for (var i = 0; i < candidates.Count; i++)
        {
            if (starts[i] is not { } s || s + services[i] > slack)
            {
                continue;
            }

            inTime++;
            if (best < 0 || candidates[i].Cost < candidates[best].Cost || (candidates[i].Cost == candidates[best].Cost && s < starts[best]))
            {
                best = i;
            }
        }

        if (best >= 0)
        {
            var words = inTime == 1 ? "the only one predicted to answer in time" : Invariant($"the cheapest of the {inTime} predicted to answer in time");
            return (new ModelChoice(best, starts[best]!.Value, null), words);
        }

        var soonest = ModelSelection.Choose(candidates);
        return (soonest, "none is predicted to answer in time; the soonest to start");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
