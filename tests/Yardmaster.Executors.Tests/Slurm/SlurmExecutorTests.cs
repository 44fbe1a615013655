using Yardmaster.Core.Execution;
using Yardmaster.Executors.Slurm;

namespace Yardmaster.Executors.Tests.Slurm;

/// <summary>Steps as batch jobs on the real two-node cluster: placement, resources, exit statuses, refusals.</summary>
public sealed class SlurmExecutorTests(SlurmClusterFixture cluster) : IClassFixture<SlurmClusterFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StartAsync_StepPlacedOnEachNode_RunsThereAndSaysSo()
    {
        foreach (var node in cluster.Nodes)
        {
            using var dir = new TempDirectory();
            var launch = cluster.Launch(dir, "node-" + node, "echo node=$SLURMD_NODENAME", node);
            var start = await cluster.Executor.StartAsync(launch, Token);
            Assert.Null(start.Error);
            await using var process = start.Process!;

            var exit = await process.Exited.WaitAsync(Patience, Token);

            Assert.True(exit.Succeeded, exit.Describe());
            Assert.Contains($"node={node}", await File.ReadAllTextAsync(launch.LogPath, Token), StringComparison.Ordinal);
            Assert.Matches($"^slurm job [0-9]+ on {node}$", process.Locator);
        }
    }

    [Fact]
    public async Task StartAsync_ResourcesAndEnvironment_ReachTheJob()
    {
        using var dir = new TempDirectory();
        var launch = cluster.Launch(dir, "resources", "echo cpus=$SLURM_CPUS_PER_TASK mem=$SLURM_MEM_PER_NODE name=$SLURM_JOB_NAME; echo \"greeting=$GREETING\"; pwd") with
        {
            CpuMillis = 1500,
            MemoryBytes = 100L * 1024 * 1024,
            Environment = new Dictionary<string, string> { ["GREETING"] = "it's \"quoted\"; $HOME stays" },
        };

        var exit = await RunAsync(launch);

        Assert.True(exit.Succeeded, exit.Describe());
        var log = await File.ReadAllTextAsync(launch.LogPath, Token);
        Assert.Contains($"cpus=2 mem=100 name=yard-{launch.AttemptId}", log, StringComparison.Ordinal);
        Assert.Contains("greeting=it's \"quoted\"; $HOME stays", log, StringComparison.Ordinal);
        Assert.Contains(launch.WorkingDirectory, log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_LogOfAnEarlierAttempt_IsAppendedTo()
    {
        using var dir = new TempDirectory();
        var launch = cluster.Launch(dir, "append", "echo second-attempt");
        await File.WriteAllTextAsync(launch.LogPath, "first-attempt\n", Token);

        var exit = await RunAsync(launch);

        Assert.True(exit.Succeeded, exit.Describe());
        Assert.Equal("first-attempt\nsecond-attempt\n", await File.ReadAllTextAsync(launch.LogPath, Token));
    }

    [Fact]
    public async Task StartAsync_ScriptKilledBySignal_ReportsTheSignal()
    {
        using var dir = new TempDirectory();

        var exit = await RunAsync(cluster.Launch(dir, "signal", "kill -KILL $$"));

        Assert.Equal(9, exit.Signal);
        Assert.Null(exit.ExitCode);
    }

    [Fact]
    public async Task StartAsync_SbatchDirectiveInTheCommand_IsNotReadAsAnOption()
    {
        using var dir = new TempDirectory();

        var exit = await RunAsync(cluster.Launch(dir, "directive", "#SBATCH --nodelist=n9\necho ran"));

        Assert.True(exit.Succeeded, exit.Describe());
    }

    [Fact]
    public async Task StartAsync_MemoryOverItsLimit_IsReportedOomKilledWhenTheClusterEnforcesMemory()
    {
        // task/cgroup (ConstrainRAMSpace) is what enforces --mem; with task/none Slurm only accounts it.
        Assert.True(cluster.EnforcesMemory, "scripts/slurm-test-env.sh fell back to task/none here: memory is not enforced, no OOM can be reported");
        using var dir = new TempDirectory();
        var launch = cluster.Launch(dir, "oom", "python3 -c 'b = bytearray(400 * 1024 * 1024); print(\"allocated\", len(b))'") with { MemoryBytes = 64L * 1024 * 1024 };

        var exit = await RunAsync(launch);

        Assert.True(exit.OomKilled, exit.Describe());
        Assert.DoesNotContain("allocated", await File.ReadAllTextAsync(launch.LogPath, Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_UnknownNode_FailsWithSlurmsRefusal()
    {
        using var dir = new TempDirectory();

        var start = await cluster.Executor.StartAsync(cluster.Launch(dir, "unknown-node", "true", node: "n9"), Token);

        Assert.Null(start.Process);
        Assert.Contains("sbatch refused the job", start.Error, StringComparison.Ordinal);
        Assert.Contains("node", start.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task StartAsync_GpuOnAClusterWithoutGpus_FailsWithSlurmsRefusal()
    {
        using var dir = new TempDirectory();

        var start = await cluster.Executor.StartAsync(cluster.Launch(dir, "gpu", "true") with { Gpus = [0] }, Token);

        Assert.Null(start.Process);
        Assert.Contains("sbatch refused the job", start.Error, StringComparison.Ordinal);
        Assert.Contains("gres", start.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task StartAsync_MissingBinary_FailsNamingSbatchAndBinDir()
    {
        using var dir = new TempDirectory();
        await using var executor = new SlurmExecutor(cluster.Options(o => o.BinDir = dir.File("no-slurm-here")), TimeProvider.System);

        var start = await executor.StartAsync(cluster.Launch(dir, "no-binary", "true"), Token);

        Assert.Null(start.Process);
        Assert.Contains("sbatch could not be started in " + dir.File("no-slurm-here"), start.Error, StringComparison.Ordinal);
        Assert.Contains("bin_dir", start.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_ControllerDown_FailsSayingItCannotBeContacted()
    {
        using var dir = new TempDirectory();
        // The same cluster's config, but a controller port nobody listens on.
        var conf = (await File.ReadAllLinesAsync(cluster.Conf, Token)).Select(l => l.StartsWith("SlurmctldPort=", StringComparison.Ordinal) ? "SlurmctldPort=16899" : l);
        await File.WriteAllLinesAsync(dir.File("slurm.conf"), conf, Token);
        await using var executor = new SlurmExecutor(cluster.Options(o => o.Conf = dir.File("slurm.conf")), TimeProvider.System);

        var start = await executor.StartAsync(cluster.Launch(dir, "controller-down", "true"), Token);

        Assert.Null(start.Process);
        Assert.Contains("Unable to contact slurm controller", start.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_ContainerStep_IsRefused()
    {
        using var dir = new TempDirectory();
        var launch = cluster.Launch(dir, "container", "true") with { Command = null, Container = new ContainerSpec("busybox", null) };

        var start = await cluster.Executor.StartAsync(launch, Token);

        Assert.Contains("runs shell steps only", start.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_TimeLimitReached_ReportsTimedOutBySlurm()
    {
        using var dir = new TempDirectory();
        // No margin: --time=1, Slurm's smallest limit; slurmctld checks limits about every 30 s.
        await using var executor = new SlurmExecutor(cluster.Options(o => o.TimeLimitMargin = TimeSpan.Zero), TimeProvider.System);
        var launch = cluster.Launch(dir, "timeout", "echo started; sleep 600") with { TimeLimit = TimeSpan.FromSeconds(1) };
        var start = await executor.StartAsync(launch, Token);
        await using var process = start.Process!;

        var exit = await process.Exited.WaitAsync(TimeSpan.FromSeconds(150), Token);

        Assert.True(exit.TimedOut, exit.Describe());
        Assert.Equal("ended by the engine at its time limit", exit.Describe());
    }

    private async Task<StepExit> RunAsync(StepLaunch launch)
    {
        var start = await cluster.Executor.StartAsync(launch, Token);
        Assert.Null(start.Error);
        await using var process = start.Process!;
        return await process.Exited.WaitAsync(Patience, Token);
    }
}
