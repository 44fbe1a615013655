using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;
using Yardmaster.Core.Queueing;
using Yardmaster.Runtime.Serving;
using static Yardmaster.Runtime.Tests.Serving.Eventually;

namespace Yardmaster.Runtime.Tests.Serving;

/// <summary>Replicas still running from an earlier server (cluster jobs), taken over when the scheduler adds their model.</summary>
public sealed class ServingSchedulerAdoptionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly ManualClock _clock = new();
    private readonly RecordingLauncher _launcher = new();

    private ServingScheduler Create(params ModelDefinition[] models)
    {
        var policies = new ServingPolicies(QueuePolicies.Create("fair")!, () => EvictionPolicies.Create("lru")!, new LeastOutstandingRoutingPolicy());
        var scheduler = new ServingScheduler(new SchedulerSettings(), new DeviceSettings { CpuMemory = 1L << 30 }, _launcher, policies, _clock);
        scheduler.SetModels(models);
        return scheduler;
    }

    private static ModelDefinition Model(string name, int min, int max) =>
        new() { Name = name, Path = name + ".gguf", Slots = 2, Memory = 10L << 20, KeepAlive = TimeSpan.FromMinutes(5), ReplicasMin = min, ReplicasMax = max };

    private static List<(int Number, ReplicaState State)> Replicas(ServingScheduler scheduler, string model) =>
        [.. scheduler.Snapshot().Models.Single(m => m.Name == model).Replicas.Select(r => (r.Replica, r.State)).OrderBy(r => r.Replica)];

    [Fact]
    public async Task SetModels_TwoReplicasStillRunning_TakesBothOverUnderTheirNumbersAndStartsNoOther()
    {
        _launcher.Running["m"] = [3, 5];
        await using var scheduler = Create(Model("m", min: 2, max: 3));

        await Until(() => Replicas(scheduler, "m").Count(r => r.State == ReplicaState.Ready) == 2);
        _clock.Advance(TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(250));

        Assert.Equal([(3, ReplicaState.Ready), (5, ReplicaState.Ready)], Replicas(scheduler, "m"));
        Assert.Equal(["m/3", "m/5"], _launcher.StartedReplicas.Order());
        Assert.Equal([("m", 3)], _launcher.Claims);
    }

    [Fact]
    public async Task SetModels_OneOfTheMinimumStillRunning_TakesItOverThenStartsOneMore()
    {
        _launcher.Running["m"] = [1];
        await using var scheduler = Create(Model("m", min: 2, max: 2));

        await Until(() => Replicas(scheduler, "m").Any(r => r.State == ReplicaState.Ready));
        _clock.Advance(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(250));
        await Until(() => Replicas(scheduler, "m").Count(r => r.State == ReplicaState.Ready) == 2);

        Assert.Equal([(0, ReplicaState.Ready), (1, ReplicaState.Ready)], Replicas(scheduler, "m"));
        Assert.Equal(["m/1", "m/0"], _launcher.StartedReplicas);
    }

    [Fact]
    public async Task SetModels_ModelAlreadyKnown_ClaimsOnlyWhenAdded()
    {
        await using var scheduler = Create(Model("m", min: 0, max: 2));
        scheduler.SetModels([Model("m", min: 0, max: 2) with { Slots = 4 }]);
        scheduler.SetModels([Model("m", min: 0, max: 2), Model("n", min: 0, max: 1)]);

        Assert.Equal([("m", 2), ("n", 1)], _launcher.Claims);
        Assert.Empty(_launcher.Started);
    }

    [Fact]
    public async Task SetModels_TakeOverFails_MinimumRestoredWithANewReplica()
    {
        _launcher.Running["m"] = [0];
        _launcher.Failing["m"] = "the job left running did not answer within ready_timeout";
        await using var scheduler = Create(Model("m", min: 1, max: 1));
        await Until(() => scheduler.Snapshot().Models.Single().Failures == 1 && Replicas(scheduler, "m").Count == 0);

        _launcher.Failing.Clear();
        _clock.Advance(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(250));
        await Until(() => Replicas(scheduler, "m").SequenceEqual([(0, ReplicaState.Ready)]));

        Assert.Equal(["m/0", "m/0"], _launcher.StartedReplicas);
        Assert.Equal("load failed: the job left running did not answer within ready_timeout", scheduler.Snapshot().Models.Single().LastFailure);
    }
}
