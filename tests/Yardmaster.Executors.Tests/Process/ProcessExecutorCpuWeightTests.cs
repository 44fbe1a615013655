using Yardmaster.Core;
using Yardmaster.Executors.Process;

namespace Yardmaster.Executors.Tests.Process;

/// <summary>Steps run in the CPU cgroup of their priority class, weighted by it, where a cpu controller is writable (as in <c>./test</c>, which runs as root).</summary>
public sealed class ProcessExecutorCpuWeightTests
{
    [Theory]
    [InlineData(PriorityClass.Critical, 1024)]
    [InlineData(PriorityClass.Normal, 256)]
    [InlineData(PriorityClass.Batch, 64)]
    public async Task StartAsync_StepOfAClass_RunsInItsClassGroupWithItsWeight(PriorityClass priority, int shares)
    {
        var executor = new ProcessExecutor();
        using var dir = new TempDirectory();
        var launch = TestLaunches.Shell(dir, "c." + priority.Name() + ".1", "cat /proc/self/cgroup") with { Priority = priority };

        var exit = await TestLaunches.RunAsync(executor, launch);

        Assert.True(exit.Succeeded, exit.Describe());
        Assert.Equal(CpuControllerWritable(), executor.WeighsCpu);
        if (!executor.WeighsCpu)
        {
            return;
        }

        var group = executor.CpuGroupOf(priority)!;
        // The v1 cpu hierarchy's line ("1:cpu:/yardmaster-batch"), else the unified one ("0::/...").
        var lines = await File.ReadAllLinesAsync(launch.LogPath, TestContext.Current.CancellationToken);
        var cpuLine = lines.SingleOrDefault(l => l.Split(':') is [_, var controllers, _] && controllers.Split(',').Contains("cpu"))
            ?? lines.Single(l => l.StartsWith("0::", StringComparison.Ordinal));
        Assert.EndsWith("/yardmaster-" + priority.Name(), cpuLine, StringComparison.Ordinal);
        var v2 = File.Exists(Path.Combine(group, "cpu.weight"));
        Assert.Equal(v2 ? CpuClassGroups.Weight(priority) : shares, int.Parse(File.ReadAllText(Path.Combine(group, v2 ? "cpu.weight" : "cpu.shares")).Trim(), System.Globalization.CultureInfo.InvariantCulture));
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
    public void Weights_HalveFromCriticalToBatch()
    {
        Assert.Equal([1024, 512, 256, 128, 64], PriorityClasses.All.Select(CpuClassGroups.Shares));
        Assert.Equal([100, 50, 25, 12, 6], PriorityClasses.All.Select(CpuClassGroups.Weight));
    }

    private static bool CpuControllerWritable()
    {
        foreach (var (root, v1File) in new[] { ("/sys/fs/cgroup/cpu", "cpu.shares"), ("/sys/fs/cgroup", "cgroup.controllers") })
        {
            var probe = Path.Combine(root, "yard-test-probe-" + Guid.NewGuid().ToString("N"));
            try
            {
                Directory.CreateDirectory(probe);
                Directory.Delete(probe);
                if (v1File == "cpu.shares" ? File.Exists(Path.Combine(root, v1File)) : File.ReadAllText(Path.Combine(root, v1File)).Split(' ', '\n').Contains("cpu"))
                {
                    return true;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Not this one.
            }
        }

        return false;
    }
}
