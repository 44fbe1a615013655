using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;
using Yardmaster.Core.Serving;

namespace Yardmaster.Core.Tests.Serving;

public sealed class ServingPassQualityTests
{
    private static readonly DateTimeOffset _t0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly QualityFloor _floor = new("triage-v1", 0.8);

    /// <summary>A loaded model of one slot: idle, or busy with <paramref name="queued"/> waiting; each request holds the slot <paramref name="serviceSeconds"/>.</summary>
    private static AdmissionCandidate Model(string name, double cost, double? quality, int queued = -1, double serviceSeconds = 1)
    {
        var free = queued < 0 ? 1 : 0;
        var waiting = Math.Max(0, queued);
        var service = TimeSpan.FromSeconds(serviceSeconds);
        return new AdmissionCandidate(
            name, null, new CandidateSnapshot(name, cost, free, waiting, 1 - free, 1, service, false, TimeSpan.FromSeconds(60), 1, false, false),
            waiting, false, service, true, true, null, 100, "cpu", 1)
        {
            Quality = quality,
        };
    }

    private static AdmissionDecision Admit(QualityFloor? floor, params AdmissionCandidate[] candidates) =>
        ServingPass.Admit(new AdmissionInput(_t0, PriorityClass.High, _t0.AddSeconds(10), false, "triage", null, 0, null, candidates, 100, TimeSpan.FromSeconds(20)) { Quality = floor });

    [Fact]
    public void Admit_SeveralMeetTheFloor_CheapestOfThemPredictedInTime()
    {
        var decision = Admit(_floor, Model("big", 10, 0.93), Model("medium", 3, 0.85), Model("small", 1, 0.6));
        Assert.Equal(AdmissionVerdict.Admitted, decision.Verdict);
        Assert.Equal(1, decision.Model);
        Assert.False(decision.QualityUnmet);
        Assert.Equal("2 of 3 meet quality 0.8 on triage-v1; the cheapest of the 2 predicted to answer in time", decision.Reason);
        Assert.Contains(decision.Candidates, v => v.Model == "small" && v.Reason == "not chosen: quality 0.6 on triage-v1, below the floor 0.8");
        Assert.Contains(decision.Candidates, v => v.Model == "big" && v.Reason.EndsWith("not chosen: medium is the cheapest of the 2 predicted to answer in time", StringComparison.Ordinal));
    }

    [Fact]
    public void Admit_CheapestEligibleTooBusyForTheDeadline_NextCheapestInTime()
    {
        // medium: 12 queued ahead at 1 s each on one slot cannot finish within 10 s; big can.
        var decision = Admit(_floor, Model("big", 10, 0.93), Model("medium", 3, 0.85, queued: 12), Model("small", 1, 0.6));
        Assert.Equal(0, decision.Model);
        Assert.Equal("2 of 3 meet quality 0.8 on triage-v1; the only one predicted to answer in time", decision.Reason);
    }

    [Fact]
    public void Admit_NoEligibleInTime_SoonestToStartAmongThoseMeetingTheFloor()
    {
        var decision = Admit(_floor, Model("big", 10, 0.93, queued: 20), Model("medium", 3, 0.85, queued: 12), Model("small", 1, 0.6));
        Assert.Equal(AdmissionVerdict.DeadlineUnmeetable, decision.Verdict); // medium (sooner) still cannot make 10 s, and says so
        Assert.Equal(1, decision.Model);
        Assert.Equal("2 of 3 meet quality 0.8 on triage-v1; none is predicted to answer in time; the soonest to start", decision.Reason);
    }

    [Fact]
    public void Admit_NoneMeetsTheFloor_BestMeasuredUsedAndFloorUnmet()
    {
        var decision = Admit(_floor, Model("big", 10, 0.7), Model("medium", 3, 0.5), Model("new", 1, null));
        Assert.Equal(AdmissionVerdict.Admitted, decision.Verdict);
        Assert.Equal(0, decision.Model);
        Assert.True(decision.QualityUnmet);
        Assert.StartsWith("none meets quality 0.8 on triage-v1; the best measured (0.7) is used; quality floor unmet", decision.Reason, StringComparison.Ordinal);
        Assert.Contains(decision.Candidates, v => v.Model == "new" && v.Reason == "not chosen: no quality measured on triage-v1, below the floor 0.8");
    }

    [Fact]
    public void Admit_NothingMeasured_EveryCandidateEligibleCheapestInTimeAndFloorUnmet()
    {
        var decision = Admit(_floor, Model("big", 10, null), Model("small", 1, null));
        Assert.Equal(1, decision.Model);
        Assert.True(decision.QualityUnmet);
        Assert.StartsWith("no candidate has a quality measured on triage-v1; quality floor unmet", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Admit_NoFloor_QualityIgnoredSoonestThenCheapest()
    {
        var decision = Admit(null, Model("big", 10, 0.93), Model("small", 1, 0.2));
        Assert.Equal(1, decision.Model);
        Assert.False(decision.QualityUnmet);
        Assert.Equal("cheapest of the soonest to start", decision.Reason);
    }
}
