using Yardmaster.Core.Cluster;
using Yardmaster.Runtime.Cluster;
using Yardmaster.Storage;
using Yardmaster.Tests.Postgres;

namespace Yardmaster.Server.Tests.Cluster;

/// <summary>The leader election on a real PostgreSQL: one leader, hand-over on resignation, expiry and failure to lead.</summary>
public sealed class LeaderElectorTests : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _owned = [];
    private PostgresTestDatabase? _database;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _database = await PostgresTestDatabase.CreateAsync(Ct);

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Fact]
    public async Task TickAsync_TwoInstances_OnlyTheFirstLeads()
    {
        var a = await ElectorAsync("a", TimeSpan.FromSeconds(30));
        var b = await ElectorAsync("b", TimeSpan.FromSeconds(30));

        await a.Elector.TickAsync(Ct);
        await b.Elector.TickAsync(Ct);
        await a.Elector.TickAsync(Ct);

        Assert.True(a.Elector.IsLeader);
        Assert.False(b.Elector.IsLeader);
        Assert.Equal([1L], a.Led.Select(f => f.Epoch)); // renewing keeps the epoch and does not lead again
        Assert.Empty(b.Led);
    }

    [Fact]
    public async Task DisposeAsync_Leader_StepsDownAndTheOtherLeadsAtItsNextTickWithTheNextEpoch()
    {
        var a = await ElectorAsync("a", TimeSpan.FromSeconds(30));
        var b = await ElectorAsync("b", TimeSpan.FromSeconds(30));
        await a.Elector.TickAsync(Ct);
        await b.Elector.TickAsync(Ct);

        await a.Elector.DisposeAsync();
        await b.Elector.TickAsync(Ct);

        Assert.Equal(1, a.SteppedDown);
        Assert.True(b.Elector.IsLeader);
        Assert.Equal(2, Assert.Single(b.Led).Epoch);
    }

    [Fact]
    public async Task TickAsync_LeaseExpiredAndTaken_OldLeaderStepsDown()
    {
        var lease = TimeSpan.FromSeconds(1);
        var a = await ElectorAsync("a", lease);
        var b = await ElectorAsync("b", lease);
        await a.Elector.TickAsync(Ct);

        // a stops renewing (as a paused process would); b takes the lease once it has expired by the database's clock.
        await TickUntilLeaderAsync(b);

        await a.Elector.TickAsync(Ct);

        Assert.True(b.Elector.IsLeader);
        Assert.False(a.Elector.IsLeader);
        Assert.Equal(1, a.SteppedDown);
        Assert.Equal(2, Assert.Single(b.Led).Epoch);
    }

    [Fact]
    public async Task TickAsync_LeadingFailsToStart_LeaseGivenUpForAnother()
    {
        var a = await ElectorAsync("a", TimeSpan.FromSeconds(30), failToLead: true);
        var b = await ElectorAsync("b", TimeSpan.FromSeconds(30));

        await a.Elector.TickAsync(Ct);
        await b.Elector.TickAsync(Ct);

        Assert.False(a.Elector.IsLeader);
        Assert.True(b.Elector.IsLeader);
    }

    [Fact]
    public async Task TickAsync_LeadingTakesLongerThanTheLease_LeaseRenewedMeanwhileThenLeadsAtTheSameEpoch()
    {
        var lease = TimeSpan.FromSeconds(1.5);
        var recovered = new TaskCompletionSource();
        var a = await ElectorAsync("a", lease, gate: recovered.Task);
        var b = await ElectorAsync("b", lease);
        await a.Elector.TickAsync(Ct); // wins, starts leading, and returns after a tick with the lead still starting
        a.Elector.Start();

        // For three leases b finds the lease held: a renews it while its scheduler still starts.
        var until = DateTimeOffset.UtcNow + (3 * lease);
        while (DateTimeOffset.UtcNow < until)
        {
            await b.Elector.TickAsync(Ct);
            Assert.False(b.Elector.IsLeader);
            await Task.Delay(100, Ct);
        }

        Assert.False(a.Elector.IsLeader);
        recovered.SetResult();
        var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
        while (!a.Elector.IsLeader && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(50, Ct);
        }

        Assert.True(a.Elector.IsLeader);
        Assert.Equal([1L], a.Led.Select(f => f.Epoch));
        Assert.Equal(0, a.SteppedDown);
        Assert.Empty(b.Led);
    }

    [Fact]
    public async Task TickAsync_LeaseLostWhileLeadingStillStarts_StartCancelledAndSteppedDownOnce()
    {
        var lease = TimeSpan.FromSeconds(1);
        var never = new TaskCompletionSource();
        var a = await ElectorAsync("a", lease, gate: never.Task);
        var b = await ElectorAsync("b", lease);
        await a.Elector.TickAsync(Ct);

        // a stops renewing (as a paused process would) while its lead still starts; b takes the expired lease.
        await TickUntilLeaderAsync(b);

        await a.Elector.TickAsync(Ct);

        Assert.True(b.Elector.IsLeader);
        Assert.False(a.Elector.IsLeader);
        Assert.True(a.StartCancelled);
        Assert.Equal(1, a.SteppedDown);
        Assert.Empty(a.Led);
        Assert.Equal(2, Assert.Single(b.Led).Epoch);
    }

    /// <summary>Runs <paramref name="candidate"/>'s rounds until it leads (the other's lease has expired by the database's clock), 20 s at most.</summary>
    private static async Task TickUntilLeaderAsync(Candidate candidate)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
        while (!candidate.Elector.IsLeader && DateTimeOffset.UtcNow < deadline)
        {
            await candidate.Elector.TickAsync(Ct);
            await Task.Delay(100, Ct);
        }
    }

    private async Task<Candidate> ElectorAsync(string id, TimeSpan lease, bool failToLead = false, Task? gate = null)
    {
        var store = await StoreOpener.OpenClusterAsync(_database!.Settings, TimeProvider.System, Ct) ?? throw new InvalidOperationException("a PostgreSQL store has a cluster store");
        _owned.Add(store);
        var candidate = new Candidate();
        candidate.Elector = new LeaderElector(
            store,
            id,
            () => $"http://{id}.invalid:8080/",
            lease,
            (fence, token) => failToLead ? throw new InvalidOperationException("the job scheduler did not start") : candidate.LeadAsync(fence, gate, token),
            candidate.StepDown,
            TimeProvider.System);
        _owned.Add(candidate.Elector);
        return candidate;
    }

    private sealed class Candidate
    {
        public LeaderElector Elector { get; set; } = null!;

        public List<LeaseFence> Led { get; } = [];

        public int SteppedDown { get; private set; }

        public bool StartCancelled { get; private set; }

        /// <summary>Leads once <paramref name="gate"/> (a scheduler still recovering) has passed; records a cancellation of the wait.</summary>
        public async Task LeadAsync(LeaseFence fence, Task? gate, CancellationToken token)
        {
            if (gate is not null)
            {
                try
                {
                    await gate.WaitAsync(token);
                }
                catch (OperationCanceledException)
                {
                    StartCancelled = true;
                    throw;
                }
            }

            Led.Add(fence);
        }

        public Task StepDown()
        {
            SteppedDown++;
            return Task.CompletedTask;
        }
    }
}
