namespace Yardmaster.Server.Tests.Cluster;

/// <summary>
/// The leader is SIGKILLed while its pipeline's steps run on Slurm: the other instance takes the lease, re-attaches to the
/// running jobs by their ids, and the run completes with every step run exactly once.
/// </summary>
[Collection(nameof(ServeCluster))]
public sealed class ClusterFailoverTests
{
    [Fact]
    public async Task Failover_LeaderKilledWhileStepsRunOnSlurm_FollowerTakesOverAndEveryStepRunsOnce()
    {
        await using var cluster = await ServeCluster.CreateAsync(TimeSpan.FromSeconds(3));
        var first = await cluster.StartAsync();
        var second = await cluster.StartAsync();
        var (leader, follower) = await cluster.LeaderAsync(first.Url) == first.Id ? (first, second) : (second, first);
        var id = await cluster.SubmitAsync(leader.Url, FailoverPipeline.Yaml(seconds: 8));
        var running = await ServeCluster.PollAsync(() => cluster.GetJsonAsync(follower.Url, $"/api/runs/{id}"), r => FailoverPipeline.Running(r).Count > 0, TimeSpan.FromSeconds(60), "a step running on Slurm");
        var jobs = FailoverPipeline.Jobs(running);
        var runningAtKill = FailoverPipeline.Running(running);

        await leader.KillAsync();
        // Within the lease plus a tick (plus slack for two shared cores), the follower holds the lease.
        await ServeCluster.PollAsync(() => cluster.LeaderAsync(follower.Url), l => l == follower.Id, cluster.Lease + cluster.Tick + TimeSpan.FromSeconds(3), "the follower leading");
        var view = await cluster.GetJsonAsync(follower.Url, "/api/cluster");
        var run = await cluster.WaitForEndAsync(follower.Url, id, TimeSpan.FromSeconds(90));

        FailoverPipeline.AssertEveryStepOnce(run, cluster.Output);
        Assert.Equal((2, follower.Url), (view.GetProperty("leader").GetProperty("epoch").GetInt32(), view.GetProperty("leader").GetProperty("url").GetString()));
        // Re-attached, not submitted again: what ran at the kill finished as the same Slurm job the killed leader started.
        var after = FailoverPipeline.Jobs(run);
        Assert.All(runningAtKill, step => Assert.Equal(jobs[step], after[step]));
    }
}
