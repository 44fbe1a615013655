using Yardmaster.Core.Models;

namespace Yardmaster.Core.Tests.Models;

public sealed class ModelSelectionTests
{
    private static readonly TimeSpan _second = TimeSpan.FromSeconds(1);

    private static CandidateSnapshot Idle(string model, double cost = 1) =>
        new(model, cost, FreeSlots: 4, Queued: 0, InFlight: 0, ReadySlots: 4, _second, Loading: false, LoadTime: 10 * _second, ReplicaSlots: 4, CanLoadNow: true, MoreReplicasAllowed: true);

    private static CandidateSnapshot Busy(string model, int queued, int readySlots = 4, double meanSeconds = 2, bool canScale = false) =>
        new(model, 1, FreeSlots: 0, queued, InFlight: readySlots, readySlots, meanSeconds * _second, Loading: false, LoadTime: 5 * _second, ReplicaSlots: 4, canScale, MoreReplicasAllowed: canScale);

    private static CandidateSnapshot Cold(string model, double loadSeconds, bool fits = true, bool allowed = true) =>
        new(model, 1, FreeSlots: 0, Queued: 0, InFlight: 0, ReadySlots: 0, _second, Loading: false, loadSeconds * _second, ReplicaSlots: 4, fits, allowed);

    private static readonly Dictionary<string, (CandidateSnapshot[] Candidates, int Index, double StartSeconds)> _cases = new()
    {
        ["loaded and idle beats loaded and busy"] = ([Busy("busy", queued: 0), Idle("idle")], 1, 0),
        ["loaded and busy beats not loaded when the load takes longer than the wait"] = ([Cold("cold", 10), Busy("busy", queued: 3)], 1, 2),
        ["not loaded beats loaded and busy when the wait exceeds the load"] = ([Busy("busy", queued: 39), Cold("cold", 5)], 1, 5),
        ["busy with room to scale out predicts the load time"] = ([Busy("busy", queued: 39, canScale: true), Cold("cold", 6)], 0, 5),
        ["busy with a queue waits its share of the slots"] = ([Busy("busy", queued: 7, readySlots: 2, meanSeconds: 1)], 0, 4),
        ["free slot behind a queue still waits"] = ([Idle("idle") with { FreeSlots = 1, Queued = 2, MeanServiceTime = 4 * _second }], 0, 3),
        ["equal start goes to the cheaper"] = ([Idle("dear", cost: 2), Idle("cheap", cost: 1)], 1, 0),
        ["equal start and cost go to the first declared"] = ([Idle("first"), Idle("second")], 0, 0),
        ["a running load adds the waves queued ahead of it"] = ([Cold("loading", 5) with { Loading = true, Queued = 8, CanLoadNow = false }, Cold("cold", 6)], 1, 6),
        ["a running load with room in its first wave is the load time"] = ([Cold("loading", 5) with { Loading = true, Queued = 3, CanLoadNow = false }, Cold("cold", 6)], 0, 5),
        ["a model that does not fit is passed over"] = ([Cold("big", 1, fits: false), Cold("small", 30)], 1, 30),
        ["a model at its replica limit is passed over"] = ([Cold("capped", 1, allowed: false), Cold("open", 30)], 1, 30),
        ["a loaded model serves even when nothing more fits"] = ([Busy("busy", queued: 99), Cold("big", 1, fits: false)], 0, 50),
    };

    public static TheoryData<string> Cases => [.. _cases.Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Choose_Table_SoonestThenCheapestThenFirst(string name)
    {
        var (candidates, index, startSeconds) = _cases[name];
        var choice = ModelSelection.Choose(candidates);
        Assert.True(choice.Chosen, choice.Refusal);
        Assert.Equal(index, choice.Index);
        Assert.Equal(startSeconds * _second, choice.PredictedStart);
    }

    [Fact]
    public void Choose_NoneLoadedAndNoneLoadable_RefusalNamesEachReason()
    {
        var choice = ModelSelection.Choose([Cold("big", 1, fits: false), Cold("capped", 1, allowed: false)]);
        Assert.False(choice.Chosen);
        Assert.Equal(-1, choice.Index);
        Assert.Equal(
            "big: not loaded and does not fit in memory now, even evicting idle replicas; capped: not loaded and no replica allowed (replicas.max reached)",
            choice.Refusal);
    }

    [Fact]
    public void Choose_Empty_Throws()
    {
        Assert.Throws<ArgumentException>(() => ModelSelection.Choose([]));
    }

    [Fact]
    public void PredictStart_NegativeQueue_Throws()
    {
        Assert.Throws<ArgumentException>(() => ModelSelection.PredictStart(Idle("bad") with { Queued = -1 }));
    }
}
