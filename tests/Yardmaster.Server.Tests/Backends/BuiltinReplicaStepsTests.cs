using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Pipelines;
using Yardmaster.Runtime.Ledger;
using Yardmaster.Server.Backends;

namespace Yardmaster.Server.Tests.Backends;

/// <summary>Background inference leaves pipeline steps their cores: the builtin engine follows the steps on the node ledger.</summary>
public sealed class BuiltinReplicaStepsTests
{
    [Fact]
    public async Task StepsHoldingCores_BackgroundPassesGetTheRest_AtLeastOne_AllAgainWhenTheyEnd()
    {
        var ledger = new ResourceLedger([new NodeCapacity("local", 4000, 8L << 30, 0)]);
        var definition = new ModelDefinition { Name = "s", Path = SharedModels.Stories260K, Slots = 2, Context = 128, Threads = 3 };
        await using var replica = await BuiltinReplica.StartAsync(definition, ledger, TimeProvider.System, TestContext.Current.CancellationToken);
        Assert.Equal(0, replica.BackgroundThreads); // no step: every thread

        var oneCore = new ResourceRequest(1000, 0, 0);
        Assert.True(ledger.TryReserve(0, oneCore, 0, "step-a"));
        Assert.Equal(2, replica.BackgroundThreads); // 3 threads less the step's core

        var halfCore = new ResourceRequest(500, 0, 0);
        Assert.True(ledger.TryReserve(0, halfCore, 0, "step-b"));
        Assert.Equal(1, replica.BackgroundThreads); // 1.5 cores held: two of them taken

        Assert.True(ledger.TryReserve(0, oneCore, 0, "step-c"));
        Assert.Equal(1, replica.BackgroundThreads); // never fewer than one

        ledger.Release(0, oneCore, 0, "step-c");
        ledger.Release(0, halfCore, 0, "step-b");
        ledger.Release(0, oneCore, 0, "step-a");
        Assert.Equal(0, replica.BackgroundThreads);
    }

    [Theory]
    [InlineData(PriorityClass.Low, 3)]
    [InlineData(PriorityClass.Normal, 2)]
    public async Task FollowFrom_AClass_ItsPassesAndLessUrgentOnesFollowTheSteps(PriorityClass from, int priority)
    {
        var ledger = new ResourceLedger([new NodeCapacity("local", 2000, 8L << 30, 0)]);
        var definition = new ModelDefinition { Name = "s", Path = SharedModels.Stories260K, Slots = 1, Context = 128, Threads = 2 };
        await using var replica = await BuiltinReplica.StartAsync(definition, ledger, TimeProvider.System, TestContext.Current.CancellationToken, from);
        Assert.Equal(priority, replica.BackgroundThreadsFrom);
    }

    [Fact]
    public async Task ReplicaGone_TheLedgerNoLongerTellsIt()
    {
        var ledger = new ResourceLedger([new NodeCapacity("local", 2000, 8L << 30, 0)]);
        var definition = new ModelDefinition { Name = "s", Path = SharedModels.Stories260K, Slots = 1, Context = 128, Threads = 2 };
        var replica = await BuiltinReplica.StartAsync(definition, ledger, TimeProvider.System, TestContext.Current.CancellationToken);
        await replica.DisposeAsync();

        // A change after the replica is gone reaches no disposed engine (it would throw from the ledger's caller).
        Assert.True(ledger.TryReserve(0, new ResourceRequest(1000, 0, 0), 0, "step"));
    }
}
