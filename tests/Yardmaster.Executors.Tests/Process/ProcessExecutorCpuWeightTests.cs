using Yardmaster.Core;
using Yardmaster.Executors.Process;

namespace Yardmaster.Executors.Tests.Process;

/// <summary>Steps run in the CPU cgroup of their priority class, weighted by it, where a cpu controller is writable (as in <c>./test</c>, which runs as root).</summary>
public sealed class ProcessExecutorCpuWeightTests
{
    [Theory]
    [InlineData(PriorityClass.Critical, 1024)]
    [InlineData(PriorityClass.Normal, 256)]
    [InlineData(PriorityClass.Batch, 16)]
    public async Task StartAsync_StepOfAClass_RunsInItsClassGroupWithItsWeight(PriorityClass priority, int shares)
    {
        var executor = new ProcessExecutor();
        using var dir = new TempDirectory();
        var launch = TestLaunches.Shell(dir, "c." + priority.Name() + ".1", "cat /proc/self/cgroup") with { Priority = priority };

        var exit = await TestLaunches.RunAsync(executor, launch);

        Assert.True(exit.Succeeded, exit.Describe());
        Assert.Equal(CpuCgroups.Writable(), executor.WeighsCpu);
        if (!executor.WeighsCpu)
        {
            return;
        }

        var group = executor.CpuGroupOf(priority)!;
        // The v1 cpu hierarchy's line ("1:cpu:/yardmaster-batch").
        var lines = await File.ReadAllLinesAsync(launch.LogPath, TestContext.Current.CancellationToken);
        var cpuLine = lines.Single(l => l.Split(':') is [_, var controllers, _] && controllers.Split(',').Contains("cpu"));
        Assert.EndsWith("/yardmaster-" + priority.Name(), cpuLine, StringComparison.Ordinal);
        Assert.Equal(shares, int.Parse(File.ReadAllText(Path.Combine(group, "cpu.shares")).Trim(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task StartAsync_StepWithAMemoryLimit_JoinsBothItsMemoryCgroupAndItsClassCpuGroup()
    {
        var executor = new ProcessExecutor();
        using var dir = new TempDirectory();
        var launch = TestLaunches.Shell(dir, "c.both.1", "cat /proc/self/cgroup", memoryBytes: 64L << 20) with { Priority = PriorityClass.Low };

        var exit = await TestLaunches.RunAsync(executor, launch);

        Assert.True(exit.Succeeded, exit.Describe());
        if (!executor.WeighsCpu || !executor.EnforcesMemoryLimits)
        {
            Assert.False(CpuCgroups.Writable() && executor.EnforcesMemoryLimits, "a cpu controller is writable but steps are not weighted");
            return;
        }

        var lines = await File.ReadAllLinesAsync(launch.LogPath, TestContext.Current.CancellationToken);
        Assert.Contains(lines, l => l.Split(':') is [_, var c, var path] && c.Split(',').Contains("memory") && path.Contains("/yardmaster/c.both.1-", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Split(':') is [_, var c, var path] && c.Split(',').Contains("cpu") && path.EndsWith("/yardmaster-low", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartAsync_CpuWeightsOff_StepStaysInTheSchedulersCpuGroup()
    {
        var executor = new ProcessExecutor(new ProcessExecutorOptions { CpuWeights = false });
        using var dir = new TempDirectory();
        var launch = TestLaunches.Shell(dir, "c.off.1", "grep -E '^[0-9]+:(cpu|cpu,[^:]*|[^:]*,cpu|):' /proc/self/cgroup") with { Priority = PriorityClass.Batch };

        var exit = await TestLaunches.RunAsync(executor, launch);

        Assert.True(exit.Succeeded, exit.Describe());
        Assert.False(executor.WeighsCpu);
        Assert.Null(executor.CpuGroupOf(PriorityClass.Batch));
        Assert.DoesNotContain("yardmaster-", await File.ReadAllTextAsync(launch.LogPath, TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public void Weights_FromCriticalAsMuchAsAServerThreadToBatchAsANice19Process()
    {
        Assert.Equal([1024, 512, 256, 64, 16], PriorityClasses.All.Select(CpuClassGroups.Shares));
    }

    [Fact]
    public void Weights_OnCgroupV2_TheSameSharesOnV2sScaleWhereANiceZeroThreadWeighs100()
    {
        Assert.Equal([100, 50, 25, 6, 2], PriorityClasses.All.Select(CpuClassGroups.Weight));
    }
}
