using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;
using Yardmaster.Core.Queueing;
using Yardmaster.Runtime.Serving;

namespace Yardmaster.Runtime.Tests.Serving;

/// <summary>
/// Random sequences of requests, releases, crashes and clock steps (seeded, so a failure replays): the
/// ledger never charges a device beyond its budget, no replica holds more requests than its slots, and
/// once everything is released or timed out, every count is back to zero and the ledger holds exactly
/// the loaded replicas.
/// </summary>
public sealed class ServingSchedulerInvariantTests
{
    private const long Budget = 500L << 20;

    public static TheoryData<int> Seeds => [.. Enumerable.Range(1, 40)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task RandomOperations_LedgerAndSlotsNeverOverdrawn_AndAllReturnToZero(int seed)
    {
        var ct = TestContext.Current.CancellationToken;
        var random = new Random(seed);
        var clock = new ManualClock();
        var launcher = new RecordingLauncher();
        var models = Enumerable.Range(0, 3).Select(i => new ModelDefinition
        {
            Name = "m" + i,
            Path = $"m{i}.gguf",
            Memory = random.Next(100, 400) << 20,
            Slots = random.Next(1, 4),
            KeepAlive = TimeSpan.FromSeconds(random.Next(0, 120)),
            Preempt = random.Next(2) == 0,
        }).ToArray();
        var policies = new ServingPolicies(QueuePolicies.Create("fair")!, () => EvictionPolicies.Create(EvictionPolicies.Names[random.Next(EvictionPolicies.Names.Count)])!, new LeastOutstandingRoutingPolicy());
        await using var scheduler = new ServingScheduler(new SchedulerSettings { LoadWait = TimeSpan.FromSeconds(20) }, new DeviceSettings { CpuMemory = Budget }, launcher, policies, clock);
        scheduler.SetModels(models);
        var pending = new List<Task<AcquireResult>>();
        var held = new List<Lease>();

        for (var step = 0; step < 200; step++)
        {
            switch (random.Next(10))
            {
                case < 5:
                    var model = models[random.Next(models.Length)].Name;
                    var priority = PriorityClasses.All[random.Next(PriorityClasses.All.Count)];
                    pending.Add(scheduler.AcquireAsync(Ticket(clock, model, priority, TimeSpan.FromSeconds(random.Next(1, 90))), ct));
                    break;
                case < 8 when held.Count > 0:
                    var lease = held[random.Next(held.Count)];
                    held.Remove(lease);
                    scheduler.Release(lease, success: random.Next(4) > 0, TimeSpan.FromMilliseconds(random.Next(1, 5000)));
                    break;
                case 8 when !launcher.Live.IsEmpty && random.Next(4) == 0:
                    launcher.Live.Values.First().Crash("killed by the test");
                    break;
                default:
                    clock.Advance(TimeSpan.FromSeconds(random.Next(1, 30)), TimeSpan.FromMilliseconds(250));
                    break;
            }

            await Task.Yield();
            Collect(pending, held);
            AssertWithinLimits(scheduler.Snapshot(), models);
        }

        // Release everything and let every wait end (granted, then released; or timed out).
        for (var round = 0; round < 400 && (pending.Count > 0 || held.Count > 0); round++)
        {
            foreach (var lease in held)
            {
                scheduler.Release(lease, success: true, TimeSpan.FromMilliseconds(10));
            }

            held.Clear();
            clock.Advance(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(250));
            await Task.Delay(1, ct);
            Collect(pending, held);
        }

        Assert.Empty(pending);
        var end = scheduler.Snapshot();
        AssertWithinLimits(end, models);
        Assert.All(end.Tasks, t => Assert.Equal(0, t.Admitted));
        Assert.All(end.Models, m => Assert.Equal((0, 0), (m.Queued, m.InFlight)));
    }

    private static RequestTicket Ticket(ManualClock clock, string model, PriorityClass priority, TimeSpan deadline) => new()
    {
        Task = new TaskDefinition { Name = "t-" + priority.Name(), Priority = PriorityClass.Critical, Models = [model] },
        Priority = priority,
        Arrival = clock.GetUtcNow(),
        Deadline = clock.GetUtcNow() + deadline,
    };

    private static void Collect(List<Task<AcquireResult>> pending, List<Lease> held)
    {
        foreach (var done in pending.Where(p => p.IsCompleted).ToList())
        {
            pending.Remove(done);
            if (done.Result.Lease is { } lease)
            {
                held.Add(lease);
            }
        }
    }

    /// <summary>
    /// The ledger charges exactly the replicas that hold memory, never beyond the budget; no replica is over its slots (one whose
    /// engine preempts: at most as many more, and never more requests of a class and those more urgent than its slots); at most
    /// replicas.max replicas per model.
    /// </summary>
    private static void AssertWithinLimits(SchedulerSnapshot snapshot, ModelDefinition[] models)
    {
        var holding = snapshot.Models.SelectMany(m => m.Replicas).Where(r => r.State is ReplicaState.Ready or ReplicaState.Loading or ReplicaState.Draining).ToList();
        Assert.Equal(holding.Sum(r => r.MemoryBytes), snapshot.Devices.Single().Used);
        Assert.InRange(snapshot.Devices.Single().Used, 0, Budget);
        Assert.All(models, d => Assert.InRange(holding.Count(r => r.Model == d.Name && r.State != ReplicaState.Draining), 0, d.ReplicasMax));
        foreach (var m in snapshot.Models)
        {
            var definition = models.Single(d => d.Name == m.Name);
            var slots = definition.Slots;
            Assert.All(m.Replicas, r => Assert.InRange(r.InFlight, 0, definition.PreemptsInEngine ? 2 * slots : slots));
            Assert.All(m.Replicas.Where(r => r.Preempts), r =>
            {
                Assert.Equal(r.InFlight, r.InFlightByClass.Sum());
                Assert.InRange(r.InFlightByClass[0], 0, slots); // the most urgent class never waits on its own engine beyond the slots
            });
        }
    }
}
