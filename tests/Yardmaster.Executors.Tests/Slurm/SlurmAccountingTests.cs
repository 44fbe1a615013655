using Yardmaster.Executors.Slurm;

namespace Yardmaster.Executors.Tests.Slurm;

/// <summary>sacct through slurmdbd: what the executor reads for jobs slurmctld has forgotten (after MinJobAge).</summary>
public sealed class SlurmAccountingTests(SlurmClusterFixture cluster) : IClassFixture<SlurmClusterFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AccountingAsync_EndedJob_ReportsItsStateExitCodeAndNode()
    {
        using var dir = new TempDirectory();
        var launch = cluster.Launch(dir, "accounting", "exit 7", node: cluster.Nodes[1]);
        var start = await cluster.Executor.StartAsync(launch, Token);
        await using var process = start.Process!;
        Assert.Equal(7, (await process.Exited.WaitAsync(TimeSpan.FromSeconds(60), Token)).ExitCode);
        var jobId = (await File.ReadAllTextAsync(Path.Combine(launch.AttemptDirectory, "slurm-job"), Token)).Trim();
        var jobs = new SlurmJobs(new SlurmCommands(cluster.Options(), TimeProvider.System));

        SlurmJobState? state = null;
        await SlurmWait.UntilAsync(
            async () => (state = (await jobs.AccountingAsync([jobId], Token)).States.SingleOrDefault(s => s.HasEnded)) is not null,
            $"slurmdbd recording job {jobId} as ended",
            TimeSpan.FromSeconds(60));

        Assert.Equal(new SlurmJobState(jobId, "FAILED", 7, null, cluster.Nodes[1], null), state);
    }
}
