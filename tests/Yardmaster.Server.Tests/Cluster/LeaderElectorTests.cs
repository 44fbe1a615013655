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
        var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
        while (!b.Elector.IsLeader && DateTimeOffset.UtcNow < deadline)
        {
            await b.Elector.TickAsync(Ct);
            await Task.Delay(100, Ct);
        }

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

    private async Task<Candidate> ElectorAsync(string id, TimeSpan lease, bool failToLead = false)
    {
        var store = await StoreOpener.OpenClusterAsync(_database!.Settings, TimeProvider.System, Ct) ?? throw new InvalidOperationException("a PostgreSQL store has a cluster store");
        _owned.Add(store);
        var candidate = new Candidate();
        candidate.Elector = new LeaderElector(
            store,
            id,
            () => $"http://{id}.invalid:8080/",
            lease,
            (fence, _) => failToLead ? throw new InvalidOperationException("the job scheduler did not start") : candidate.Lead(fence),
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

        public Task Lead(LeaseFence fence)
        {
            Led.Add(fence);
            return Task.CompletedTask;
        }

        public Task StepDown()
        {
            SteppedDown++;
            return Task.CompletedTask;
        }
    }
}
