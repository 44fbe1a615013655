using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Yardmaster.Server.Tests.Cluster;

/// <summary>
/// Between the leader's death and its lease's expiry nobody can schedule: a follower refuses a submission with 503 and
/// <c>Retry-After</c>, changing nothing, and accepts it once it has taken the lease.
/// </summary>
[Collection(nameof(ServeCluster))]
public sealed class ClusterLeaderGoneTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Submit_LeaderKilledLeaseNotExpired_ServiceUnavailableWithRetryAfterThenAccepted()
    {
        // A 6 s lease renewed every 2 s: when the leader dies, at least 4 s of its lease are left (the window asserted below).
        await using var cluster = await ServeCluster.CreateAsync(TimeSpan.FromSeconds(6));
        var first = await cluster.StartAsync();
        var second = await cluster.StartAsync();
        var (leader, follower) = await cluster.LeaderAsync(first.Url) == first.Id ? (first, second) : (second, first);
        const string Yaml = "name: later\nsteps:\n  - id: a\n    run: echo a > a.txt\n";

        await leader.KillAsync();
        using var refused = await cluster.PostAsync(follower.Url, "/api/runs", new { yaml = Yaml });
        var text = await refused.Content.ReadAsStringAsync(Ct);
        var view = await cluster.GetJsonAsync(follower.Url, "/api/cluster");

        Assert.True(refused.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)refused.StatusCode} {text}\n{cluster.Output}");
        Assert.Equal("6", refused.Headers.GetValues("Retry-After").Single());
        Assert.Contains($"the leader ({leader.Id} at {leader.Url}) did not answer", JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        // The window was real: the dead leader still held an unexpired lease after the refusal.
        Assert.Equal(leader.Id, view.GetProperty("leader").GetProperty("id").GetString());
        Assert.True(DateTimeOffset.Parse(view.GetProperty("leader").GetProperty("expires_at").GetString()!, CultureInfo.InvariantCulture) > TimeProvider.System.GetUtcNow(), view.GetRawText());
        Assert.Empty((await cluster.GetJsonAsync(follower.Url, "/api/runs")).GetProperty("runs").EnumerateArray());

        var accepted = await ServeCluster.PollAsync(
            async () =>
            {
                using var again = await cluster.PostAsync(follower.Url, "/api/runs", new { yaml = Yaml });
                return (again.StatusCode, await again.Content.ReadAsStringAsync(Ct));
            },
            a => a.StatusCode != HttpStatusCode.ServiceUnavailable,
            cluster.Lease + cluster.Tick + TimeSpan.FromSeconds(3),
            "the submission accepted by the new leader");
        Assert.True(accepted.StatusCode == HttpStatusCode.Created, accepted.Item2);
        var id = JsonDocument.Parse(accepted.Item2).RootElement.GetProperty("id").GetString()!;
        Assert.Equal("succeeded", (await cluster.WaitForEndAsync(follower.Url, id, TimeSpan.FromSeconds(60))).GetProperty("state").GetString());
    }
}
