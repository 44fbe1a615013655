using Yardmaster.Core.Models;

namespace Yardmaster.Core.Tests.Models;

/// <summary><see cref="ModelSelection.Explain"/>: the words a decision trace gives for each candidate.</summary>
public sealed class ModelSelectionExplainTests
{
    private static CandidateSnapshot Idle(string model, double cost = 1) =>
        new(model, cost, 4, 0, 0, 4, TimeSpan.FromSeconds(1), false, TimeSpan.FromSeconds(2), 4, true, true);

    private static CandidateSnapshot Cold(string model, bool fits = true) =>
        new(model, 1, 0, 0, 0, 0, TimeSpan.FromSeconds(1), false, TimeSpan.FromSeconds(2), 4, fits, true);

    private static IReadOnlyList<CandidateVerdict> Explain(params CandidateSnapshot[] candidates) =>
        ModelSelection.Explain(candidates, ModelSelection.Choose(candidates));

    [Fact]
    public void Explain_OneCandidate_OnlyCandidate()
    {
        var verdict = Assert.Single(Explain(Cold("tiny")));
        Assert.True(verdict.Chosen);
        Assert.Equal("not loaded, can load now, predicted start 2000 ms; chosen: only candidate", verdict.Reason);
        Assert.Equal(TimeSpan.FromSeconds(2), verdict.PredictedStart);
    }

    [Fact]
    public void Explain_OneReadyOneCold_OnlyReadyModelAndTheOtherStartsLater()
    {
        var verdicts = Explain(Cold("big"), Idle("tiny"));
        Assert.Equal("not loaded, can load now, predicted start 2000 ms; not chosen: tiny starts sooner", verdicts[0].Reason);
        Assert.Equal("loaded, 4 of 4 slots free, 0 queued ahead, predicted start 0 ms; chosen: only ready model", verdicts[1].Reason);
    }

    [Fact]
    public void Explain_TwoIdleOfDifferentCost_CheapestOfTheSoonest()
    {
        var verdicts = Explain(Idle("dear", cost: 5), Idle("cheap", cost: 1));
        Assert.False(verdicts[0].Chosen);
        Assert.EndsWith("not chosen: cheap is as soon and cheaper or declared first", verdicts[0].Reason, StringComparison.Ordinal);
        Assert.EndsWith("chosen: cheapest of the soonest to start", verdicts[1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_NoneFits_EachSaysWhyNotLoadable()
    {
        var verdicts = Explain(Cold("a", fits: false), Cold("b", fits: false));
        Assert.All(verdicts, v => Assert.False(v.Chosen));
        Assert.All(verdicts, v => Assert.Equal("not loaded and does not fit in memory now, even evicting idle replicas; not chosen: cannot serve now", v.Reason));
        Assert.All(verdicts, v => Assert.Null(v.PredictedStart));
    }
}
