namespace Yardmaster.Server.Tests.Cluster;

/// <summary>
/// A leader frozen (SIGSTOP) past its lease while its steps run on Slurm: another instance takes over and finishes the
/// run; thawed (SIGCONT), the old leader finds the lease gone, stops its scheduler, and no step runs twice.
/// </summary>
[Collection(nameof(ServeCluster))]
public sealed class ClusterFencingTests
{
    [Fact]
    public async Task Fencing_LeaderPausedPastItsLease_NewLeaderFinishesAndOldOneStepsDown()
    {
        await using var cluster = await ServeCluster.CreateAsync(TimeSpan.FromSeconds(3));
        var first = await cluster.StartAsync();
        var second = await cluster.StartAsync();
        var (leader, follower) = await cluster.LeaderAsync(first.Url) == first.Id ? (first, second) : (second, first);
        var id = await cluster.SubmitAsync(leader.Url, FailoverPipeline.Yaml(seconds: 4));
        await ServeCluster.PollAsync(() => cluster.GetJsonAsync(follower.Url, $"/api/runs/{id}"), r => FailoverPipeline.Running(r).Count > 0, TimeSpan.FromSeconds(60), "a step running on Slurm");

        leader.Pause();
        await ServeCluster.PollAsync(() => cluster.LeaderAsync(follower.Url), l => l == follower.Id, cluster.Lease + cluster.Tick + TimeSpan.FromSeconds(3), "the follower leading");
        // Frozen until the new leader started c (a and b have ended): the old one's scheduler, thawed, has their ends to record.
        await ServeCluster.PollAsync(() => cluster.GetJsonAsync(follower.Url, $"/api/runs/{id}"), r => r.GetProperty("steps").EnumerateArray().Any(s => s.GetProperty("id").GetString() == "c" && s.GetProperty("state").GetString() is "running" or "succeeded"), TimeSpan.FromSeconds(30), "c started by the new leader");
        leader.Resume();

        await ServeCluster.PollAsync(() => Task.FromResult(leader.Output), o => o.Contains($"Instance {leader.Id} stepped down from epoch 1", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the old leader stepping down");
        var run = await cluster.WaitForEndAsync(leader.Url, id, TimeSpan.FromSeconds(60));
        FailoverPipeline.AssertEveryStepOnce(run, cluster.Output);
        Assert.Equal(follower.Id, await cluster.LeaderAsync(leader.Url));
    }
}
