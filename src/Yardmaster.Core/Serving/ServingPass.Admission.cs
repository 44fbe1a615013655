using System.Globalization;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;
using Yardmaster.Core.Units;

namespace Yardmaster.Core.Serving;

public static partial class ServingPass
{
    /// <summary>
    /// Admits a request or refuses it at once: in order, the scheduler stopping, a deadline already passed, the task's
    /// concurrency, then its rate (a token is taken only when every earlier check passed), model selection among the
    /// task's candidates (<see cref="ModelSelection"/>: soonest predicted start, then cheapest, then declared order; when
    /// none can serve now, the first that fits some budget waits for memory), the chosen queue's bound (a full queue sheds
    /// its least urgent request for a more urgent newcomer), and the deadline (refused when the predicted wait plus the
    /// request's predicted service time, <see cref="AdmissionCandidate.Service"/>, exceed it).
    /// </summary>
    public static AdmissionDecision Admit(AdmissionInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var now = input.Now;
        if (input.ShuttingDown)
        {
            return AdmissionDecision.Refuse(AdmissionVerdict.ShuttingDown);
        }

        if (input.Deadline <= now)
        {
            return AdmissionDecision.Refuse(AdmissionVerdict.DeadlinePassed);
        }

        if (input.MaxConcurrency is { } limit && input.Admitted >= limit)
        {
            return AdmissionDecision.Refuse(AdmissionVerdict.ConcurrencyLimit);
        }

        if (input.Rate is { } bucket && !bucket.TryTake(now, out var retry))
        {
            return AdmissionDecision.Refuse(AdmissionVerdict.RateLimit, retry);
        }

        var (index, predictedWait, verdicts, reason, words, unmet) = Select(input);
        if (index < 0)
        {
            return new AdmissionDecision(words is null ? AdmissionVerdict.NoModel : AdmissionVerdict.CannotFit, -1, default, default, false, default, verdicts, null, words);
        }

        var chosen = input.Candidates[index];
        var full = chosen.Queued >= input.MaxQueue;
        if (full && !chosen.CanShed)
        {
            return new AdmissionDecision(AdmissionVerdict.QueueFull, index, predictedWait, default, false, default, verdicts, reason, null) { QualityUnmet = unmet };
        }

        if (input.JudgeDeadlines && now + predictedWait + chosen.Service > input.Deadline && chosen.HasServiceSample)
        {
            return new AdmissionDecision(AdmissionVerdict.DeadlineUnmeetable, index, predictedWait, default, false, default, verdicts, reason, null) { QualityUnmet = unmet };
        }

        var waitLimit = input.Deadline - now;
        if (chosen.Coming == 0 && input.LoadWait < waitLimit)
        {
            waitLimit = input.LoadWait; // refused with 503 if no memory frees up in time
        }

        return new AdmissionDecision(AdmissionVerdict.Admitted, index, predictedWait, waitLimit, full, default, verdicts, reason, null) { QualityUnmet = unmet };
    }

    private static (int Index, TimeSpan PredictedWait, IReadOnlyList<CandidateVerdict> Verdicts, string? Reason, string? Words, bool Unmet) Select(AdmissionInput input)
    {
        var available = new List<int>(input.Candidates.Count);
        var snapshots = new List<CandidateSnapshot>(input.Candidates.Count);
        var unavailable = new List<CandidateVerdict>();
        for (var i = 0; i < input.Candidates.Count; i++)
        {
            var c = input.Candidates[i];
            if (c.Unavailable is null && c.Selection is { } selection)
            {
                available.Add(i);
                snapshots.Add(selection);
            }
            else
            {
                unavailable.Add(new CandidateVerdict(c.Model, false, null, c.Unavailable ?? "not chosen: not a configured model"));
            }
        }

        if (available.Count == 0)
        {
            return (-1, default, unavailable, null, null, false);
        }

        var (floorWords, unmet) = input.Quality is { } floor ? KeepEligible(input, floor, available, snapshots, unavailable) : (null, false);
        ModelChoice choice;
        List<CandidateVerdict> verdicts;
        if (floorWords is null)
        {
            choice = ModelSelection.Choose(snapshots);
            verdicts = [.. ModelSelection.Explain(snapshots, choice)];
        }
        else
        {
            var (qualityChoice, how) = QualitySelection.Choose(snapshots, [.. available.Select(i => input.Candidates[i].Service)], input.Deadline - input.Now);
            choice = qualityChoice;
            verdicts = [.. ModelSelection.Explain(snapshots, choice)];
            if (choice.Chosen)
            {
                var winner = snapshots[choice.Index].Model;
                for (var i = 0; i < verdicts.Count; i++)
                {
                    var state = verdicts[i].Reason[..verdicts[i].Reason.LastIndexOf("; ", StringComparison.Ordinal)];
                    verdicts[i] = verdicts[i] with { Reason = i == choice.Index ? $"{state}; chosen: {floorWords}; {how}" : $"{state}; not chosen: {winner} is {how}" };
                }
            }
        }

        if (choice.Chosen)
        {
            var words = verdicts[choice.Index].Reason;
            return (available[choice.Index], choice.PredictedStart, [.. verdicts, .. unavailable], words[(words.LastIndexOf("chosen: ", StringComparison.Ordinal) + 8)..], null, unmet);
        }

        // Nothing can start now: wait for memory on the first candidate that fits some budget at all.
        for (var i = 0; i < available.Count; i++)
        {
            if (input.Candidates[available[i]].FitsSomeBudget)
            {
                const string Reason = "none can serve now; it waits for memory to free up, as the first that fits a budget";
                verdicts[i] = verdicts[i] with { Chosen = true, Reason = verdicts[i].Reason.Replace("not chosen: cannot serve now", "chosen: " + Reason, StringComparison.Ordinal) };
                return (available[i], input.LoadWait, [.. verdicts, .. unavailable], Reason, null, unmet);
            }
        }

        var reasons = string.Join("; ", available.Select(i => input.Candidates[i]).Select(m => m.EstimateError is { } error ? $"'{m.Model}' cannot load: {error}" :
            $"'{m.Model}' needs {ByteSizes.Format(m.MemoryEstimate)}, more than any {m.DeviceWords} budget"));
        return (-1, default, [.. verdicts, .. unavailable], null, reasons, unmet);
    }

    /// <summary>Drops from <paramref name="available"/> (and its snapshots) the candidates the task's quality floor keeps out, each with its reason.</summary>
    private static (string Words, bool Unmet) KeepEligible(AdmissionInput input, QualityFloor floor, List<int> available, List<CandidateSnapshot> snapshots, List<CandidateVerdict> unavailable)
    {
        var (eligible, unmet, words) = QualitySelection.Eligible([.. available.Select(i => input.Candidates[i].Quality)], floor);
        for (var k = available.Count - 1; k >= 0; k--)
        {
            if (!eligible[k])
            {
                var c = input.Candidates[available[k]];
                var measured = c.Quality is { } q ? string.Create(CultureInfo.InvariantCulture, $"quality {q:0.###}") : "no quality measured";
                unavailable.Insert(0, new CandidateVerdict(c.Model, false, null, string.Create(CultureInfo.InvariantCulture, $"not chosen: {measured} on {floor.Metric}, below the floor {floor.Min:0.###}")));
                available.RemoveAt(k);
                snapshots.RemoveAt(k);
            }
        }

        return (words, unmet);
    }
}
