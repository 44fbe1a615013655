using Yardmaster.Core;
using Yardmaster.Core.Cluster;
using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Runs;
using Yardmaster.Storage.Postgres;
using Yardmaster.Tests.Postgres;

namespace Yardmaster.Storage.Tests.Postgres;

/// <summary>Heartbeats, the leader lease and fenced writes, with instances as separate stores (their own pools) on one real database.</summary>
public sealed class PostgresClusterStoreTests : IAsyncLifetime
{
    private static readonly TimeSpan _long = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan _deadline = TimeSpan.FromSeconds(20);
    private PostgresTestDatabase? _database;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PostgresTestDatabase Database => _database ?? throw new InvalidOperationException("not initialized");

    public async ValueTask InitializeAsync() => _database = await PostgresTestDatabase.CreateAsync(Ct);

    public async ValueTask DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Fact]
    public async Task TryLeadAsync_TwoInstancesAtOnce_ExactlyOneLeadsAtEpochOne()
    {
        await using var a = await OpenAsync();
        await using var b = await OpenAsync();

        var leases = await Task.WhenAll(a.TryLeadAsync("a", "http://a:1", _long, Ct), b.TryLeadAsync("b", "http://b:1", _long, Ct));

        Assert.Equal(leases[0].HolderId, leases[1].HolderId);
        Assert.Equal((1L, 1L), (leases[0].Epoch, leases[1].Epoch));
        var leader = await a.LeaderAsync(Ct);
        Assert.Equal(leases[0].HolderId, leader!.HolderId);
        Assert.Equal(leader.HolderId == "a" ? "http://a:1" : "http://b:1", leader.HolderUrl);
    }

    [Fact]
    public async Task TryLeadAsync_Renewal_SameEpochLaterExpiry()
    {
        await using var a = await OpenAsync();
        var first = await a.TryLeadAsync("a", "http://a:1", _long, Ct);
        var renewed = await a.TryLeadAsync("a", "http://a:1", _long, Ct);

        Assert.Equal(("a", 1L), (renewed.HolderId, renewed.Epoch));
        Assert.True(renewed.ExpiresAt > first.ExpiresAt);
        Assert.Equal(1L, (await a.TryLeadAsync("a", "http://a:1", _long, Ct)).Epoch);
    }

    [Fact]
    public async Task TryLeadAsync_HeldAndUnexpired_OtherInstanceSeesTheHolder()
    {
        await using var a = await OpenAsync();
        await using var b = await OpenAsync();
        await a.TryLeadAsync("a", "http://a:1", _long, Ct);

        var seen = await b.TryLeadAsync("b", "http://b:1", _long, Ct);

        Assert.Equal(("a", "http://a:1", 1L), (seen.HolderId, seen.HolderUrl, seen.Epoch));
    }

    [Fact]
    public async Task TryLeadAsync_LeaseExpired_OtherInstanceTakesOverAtNextEpoch()
    {
        await using var a = await OpenAsync();
        await using var b = await OpenAsync();
        await a.TryLeadAsync("a", "http://a:1", TimeSpan.FromMilliseconds(300), Ct);

        var taken = await PollAsync(() => b.TryLeadAsync("b", "http://b:1", _long, Ct), l => l.HolderId == "b");

        Assert.Equal(2L, taken.Epoch);
        Assert.Equal(("b", 2L), ((await a.LeaderAsync(Ct))!.HolderId, (await a.LeaderAsync(Ct))!.Epoch));
        var back = await a.TryLeadAsync("a", "http://a:1", _long, Ct); // a comes back from a pause: it sees b
        Assert.Equal(("b", 2L), (back.HolderId, back.Epoch));
    }

    [Fact]
    public async Task LeaderAsync_NobodyOrExpired_Null()
    {
        await using var a = await OpenAsync();
        Assert.Null(await a.LeaderAsync(Ct));
        await a.TryLeadAsync("a", "http://a:1", TimeSpan.FromMilliseconds(200), Ct);
        await PollAsync(() => a.LeaderAsync(Ct), l => l is null);
    }

    [Fact]
    public async Task ResignAsync_Holder_NobodyLeadsAndTheNextTakesAtOnceAtNextEpoch()
    {
        await using var a = await OpenAsync();
        await using var b = await OpenAsync();
        var lease = await a.TryLeadAsync("a", "http://a:1", _long, Ct);

        await a.ResignAsync("b", lease.Epoch, Ct); // not the holder: no effect
        await a.ResignAsync("a", lease.Epoch + 1, Ct); // not its epoch: no effect
        Assert.Equal("a", (await b.LeaderAsync(Ct))!.HolderId);
        await a.ResignAsync("a", lease.Epoch, Ct);

        Assert.Null(await b.LeaderAsync(Ct));
        Assert.Equal(("b", 2L), ((await b.TryLeadAsync("b", "http://b:1", _long, Ct)).HolderId, (await b.LeaderAsync(Ct))!.Epoch));
    }

    [Fact]
    public async Task WriteAsync_FencedAtTheOldEpochAfterTakeover_StoreFencedAndNothingWritten()
    {
        await using var a = await OpenAsync();
        await using var b = await OpenAsync();
        var old = await a.TryLeadAsync("a", "http://a:1", _long, Ct);
        await using var oldLeader = await PostgresRunStore.OpenAsync(Database.Settings, TimeProvider.System, new LeaseFence("a", old.Epoch), Ct);
        await oldLeader.WriteAsync(Submitted("r1"), Ct); // while it holds the lease: written
        await a.TryLeadAsync("a", "http://a:1", TimeSpan.FromMilliseconds(200), Ct); // its last renewal, then it pauses
        var taken = await PollAsync(() => b.TryLeadAsync("b", "http://b:1", _long, Ct), l => l.HolderId == "b");
        await using var newLeader = await PostgresRunStore.OpenAsync(Database.Settings, TimeProvider.System, new LeaseFence("b", taken.Epoch), Ct);

        var error = await Assert.ThrowsAsync<StoreFencedException>(() => oldLeader.WriteAsync(Submitted("r2"), Ct));
        var finished = new RunStoreBatch();
        finished.Transitions.Add(new TransitionRecord("r1", null, null, "running", "succeeded", "late write", DateTimeOffset.UnixEpoch));
        await Assert.ThrowsAsync<StoreFencedException>(() => oldLeader.WriteAsync(finished, Ct));

        Assert.Equal("the store refused a write: instance a no longer holds the scheduler's lease at epoch 1 (another instance took it over)", error.Message);
        Assert.Null(await newLeader.GetRunAsync("r2", Ct));
        Assert.Equal(["running"], (await newLeader.TransitionsAsync("r1", Ct)).Select(t => t.To));
        await newLeader.WriteAsync(Submitted("r3"), Ct);
        Assert.NotNull(await newLeader.GetRunAsync("r3", Ct));
    }

    [Fact]
    public async Task WriteAsync_FencedAndLeaseExpiredButNotTaken_StoreFenced()
    {
        await using var a = await OpenAsync();
        var lease = await a.TryLeadAsync("a", "http://a:1", TimeSpan.FromMilliseconds(200), Ct);
        await using var runs = await PostgresRunStore.OpenAsync(Database.Settings, TimeProvider.System, new LeaseFence("a", lease.Epoch), Ct);
        await PollAsync(() => a.LeaderAsync(Ct), l => l is null);

        await Assert.ThrowsAsync<StoreFencedException>(() => runs.WriteAsync(Submitted("r1"), Ct));

        Assert.Null(await runs.GetRunAsync("r1", Ct));
        Assert.Equal(1L, (await a.TryLeadAsync("a", "http://a:1", _long, Ct)).Epoch); // nobody else took it: a renews at its epoch
        await runs.WriteAsync(Submitted("r1"), Ct);
        Assert.NotNull(await runs.GetRunAsync("r1", Ct));
    }

    [Fact]
    public async Task TryLeadAsync_WhileAFencedWriteIsOpen_TakeoverWaitsForItToEnd()
    {
        await using var a = await OpenAsync();
        await using var b = await OpenAsync();
        await a.TryLeadAsync("a", "http://a:1", TimeSpan.FromMilliseconds(300), Ct);
        await PollAsync(() => a.LeaderAsync(Ct), l => l is null);
        // What a fenced write holds while its transaction is open: a share lock on the lease row.
        await using var writer = new Npgsql.NpgsqlConnection(Database.ConnectionString);
        await writer.OpenAsync(Ct);
        await using var transaction = await writer.BeginTransactionAsync(Ct);
        await using (var share = new Npgsql.NpgsqlCommand("SELECT 1 FROM cluster_lease WHERE id = 1 FOR SHARE;", writer, transaction))
        {
            await share.ExecuteScalarAsync(Ct);
        }

        var takeover = b.TryLeadAsync("b", "http://b:1", _long, Ct);
        await PollAsync(() => Database.ScalarAsync("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'UPDATE cluster_lease%';", Ct), n => (long)n! == 1);
        Assert.False(takeover.IsCompleted);
        await transaction.CommitAsync(Ct);

        Assert.Equal(("b", 2L), ((await takeover).HolderId, (await takeover).Epoch));
    }

    [Fact]
    public async Task InstancesAsync_Heartbeats_RecentOnesByIdWithTheStoreClock()
    {
        await using var a = await OpenAsync();
        await using var b = await OpenAsync();
        await b.HeartbeatAsync("b", "http://b:1", Ct);
        await a.HeartbeatAsync("a", "http://a:1", Ct);
        await a.HeartbeatAsync("old", "http://old:1", Ct);
        await a.HeartbeatAsync("a", "http://a:2", Ct); // moved: the latest URL wins
        await Database.ExecuteAsync("UPDATE cluster_instances SET last_seen = now() - interval '1 hour' WHERE id = 'old';", Ct);
        var now = (DateTime)(await Database.ScalarAsync("SELECT now();", Ct))!;

        var instances = await b.InstancesAsync(TimeSpan.FromMinutes(1), Ct);

        Assert.Equal([("a", "http://a:2"), ("b", "http://b:1")], instances.Select(i => (i.Id, i.Url)));
        Assert.All(instances, i => Assert.InRange(i.LastSeen, new DateTimeOffset(now, TimeSpan.Zero).AddMinutes(-1), new DateTimeOffset(now, TimeSpan.Zero).AddSeconds(1)));
        Assert.Equal(3, (await b.InstancesAsync(TimeSpan.FromHours(2), Ct)).Count);
    }

    private Task<PostgresClusterStore> OpenAsync() => PostgresClusterStore.OpenAsync(Database.Settings, TimeProvider.System, Ct);

    private static RunStoreBatch Submitted(string id)
    {
        var batch = new RunStoreBatch();
        batch.Runs.Add(new RunRecord
        {
            Id = id,
            Pipeline = "p",
            Priority = PriorityClass.Normal,
            State = RunState.Running,
            Definition = "name: p\nsteps: []\n",
            SourceFile = "p.yaml",
            WorkingDirectory = "/tmp/" + id,
            CreatedAt = DateTimeOffset.UnixEpoch,
        });
        batch.Transitions.Add(new TransitionRecord(id, null, null, string.Empty, "running", "submitted", DateTimeOffset.UnixEpoch));
        return batch;
    }

    /// <summary>Calls <paramref name="read"/> until <paramref name="done"/> holds, failing after a deadline.</summary>
    private static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var until = DateTimeOffset.UtcNow + _deadline;
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            Assert.True(DateTimeOffset.UtcNow < until, $"not reached within {_deadline.TotalSeconds} s; last seen: {value}");
            await Task.Delay(20, Ct);
        }
    }
}
