using System.Diagnostics;
using System.Globalization;
using Yardmaster.Core;
using Yardmaster.Executors.Process;

namespace Yardmaster.Executors.Tests.Process;

/// <summary>
/// A step's <c>resources.cpu_limit</c> is a hard cap: the step runs in a cpu cgroup of its own whose CFS quota the kernel
/// enforces (as in <c>./test</c>, which runs as root with the v1 cpu hierarchy writable). Where no cpu controller is writable
/// the step is refused, not run uncapped. The steps run as <c>critical</c>, whose weight keeps them from being starved on a
/// loaded machine: what is measured is the cap.
/// </summary>
public sealed class ProcessExecutorCpuLimitTests
{
    // About 0.3 s of one core's work in the shell itself, then the shell's own CPU time (`times`, first line: user and system).
    private const string Busy = "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; times";

    [Fact]
    public async Task StartAsync_CpuLimitOfATenthOfACore_TheKernelThrottlesTheStepToIt()
    {
        var executor = new ProcessExecutor();
        using var dir = new TempDirectory();
        var launch = TestLaunches.Shell(dir, "q.tenth.1", "grep -E '^[0-9]+:([^:]*,)?cpu(,[^:]*)?:' /proc/self/cgroup; cat \"$QUOTA/cpu.cfs_quota_us\"; " + Busy + "; cat \"$QUOTA/cpu.stat\"")
            with { Priority = PriorityClass.Critical, CpuMillis = 100, CpuLimitMillis = 100 };
        var quota = executor.CpuQuotaGroupOf(launch);
        launch = launch with { Environment = new Dictionary<string, string> { ["QUOTA"] = quota ?? string.Empty } };
        Assert.True(executor.EnforcesCpuLimits || !CpuCgroups.Writable(), "a cpu controller is writable but limits are not enforced");
        if (!executor.EnforcesCpuLimits)
        {
            var refused = await executor.StartAsync(launch, TestContext.Current.CancellationToken);
            Assert.Null(refused.Process);
            Assert.StartsWith("resources.cpu_limit (100m) cannot be enforced here", refused.Error, StringComparison.Ordinal);
            return;
        }

        var clock = Stopwatch.StartNew();
        var exit = await TestLaunches.RunAsync(executor, launch);
        var wall = clock.Elapsed.TotalSeconds;

        Assert.True(exit.Succeeded, exit.Describe());
        var lines = await File.ReadAllLinesAsync(launch.LogPath, TestContext.Current.CancellationToken);
        Assert.StartsWith("yardmaster-step-q.tenth.1-", Path.GetFileName(quota), StringComparison.Ordinal);
        Assert.EndsWith("/yardmaster-critical/" + Path.GetFileName(quota), lines[0], StringComparison.Ordinal);
        Assert.Equal("10000", lines[1]); // 10 ms of every 100 ms period
        var cpu = lines[2].Split(' ').Sum(Seconds);
        Assert.True(cpu >= 0.05, $"the loop took {cpu:F2} s of CPU: too little to show a cap");
        Assert.True(cpu / wall <= 0.2, $"{cpu:F2} s of CPU in {wall:F2} s: {cpu / wall:P0} of a core, over the 10% cap");
        var throttled = lines.Single(l => l.StartsWith("nr_throttled ", StringComparison.Ordinal));
        Assert.True(long.Parse(throttled.Split(' ')[1], CultureInfo.InvariantCulture) > 0, throttled);
        Assert.False(Directory.Exists(quota), "the attempt's cpu cgroup outlived it");
        // The log ends with what the limit did, as the kernel counted it.
        var note = lines[^1];
        Assert.Matches(@"^\[yard\] cpu_limit 100m held the step back in [1-9][0-9]* of [1-9][0-9]* periods of 100 ms \([0-9]+\.[0-9]{2} s in all\)$", note);
    }

    [Fact]
    public async Task StartAsync_NoCpuLimit_StepRunsInItsClassGroupUncapped()
    {
        var executor = new ProcessExecutor();
        using var dir = new TempDirectory();
        var launch = TestLaunches.Shell(dir, "q.none.1", "grep -E '^[0-9]+:([^:]*,)?cpu(,[^:]*)?:' /proc/self/cgroup") with { Priority = PriorityClass.Batch, CpuMillis = 100 };

        var exit = await TestLaunches.RunAsync(executor, launch);

        Assert.True(exit.Succeeded, exit.Describe());
        var line = (await File.ReadAllTextAsync(launch.LogPath, TestContext.Current.CancellationToken)).Trim();
        if (executor.CpuGroupOf(PriorityClass.Batch) is not { } group)
        {
            Assert.False(CpuCgroups.Writable(), "a cpu controller is writable but steps are not weighted");
            Assert.DoesNotContain("yardmaster-", line, StringComparison.Ordinal);
            return;
        }

        // In the class's group itself, which has no quota: nothing caps the step but its weight.
        Assert.EndsWith("/yardmaster-batch", line, StringComparison.Ordinal);
        Assert.Equal("-1", File.ReadAllText(Path.Combine(group, "cpu.cfs_quota_us")).Trim());
    }

    [Fact]
    public async Task StartAsync_CpuWeightsOffAndACpuLimit_CappedInAGroupBesideTheSchedulersThreads()
    {
        var executor = new ProcessExecutor(new ProcessExecutorOptions { CpuWeights = false });
        using var dir = new TempDirectory();
        var launch = TestLaunches.Shell(dir, "q.flat.1", "grep -E '^[0-9]+:([^:]*,)?cpu(,[^:]*)?:' /proc/self/cgroup; cat \"$QUOTA/cpu.cfs_quota_us\"")
            with { Priority = PriorityClass.Batch, CpuLimitMillis = 1500 };
        var quota = executor.CpuQuotaGroupOf(launch);
        launch = launch with { Environment = new Dictionary<string, string> { ["QUOTA"] = quota ?? string.Empty } };
        if (quota is null)
        {
            Assert.False(CpuCgroups.Writable(), "a cpu controller is writable but limits are not enforced");
            return;
        }

        var exit = await TestLaunches.RunAsync(executor, launch);

        Assert.True(exit.Succeeded, exit.Describe());
        Assert.False(executor.WeighsCpu);
        var lines = await File.ReadAllLinesAsync(launch.LogPath, TestContext.Current.CancellationToken);
        Assert.DoesNotContain("/yardmaster-batch", lines[0], StringComparison.Ordinal);
        Assert.EndsWith("/" + Path.GetFileName(quota), lines[0], StringComparison.Ordinal);
        Assert.Equal("150000", lines[1]); // 1.5 cores: 150 ms of every 100 ms period
        Assert.False(Directory.Exists(quota), "the attempt's cpu cgroup outlived it");
    }

    [Fact]
    public async Task ReattachAsync_CappedStepOfAnEarlierScheduler_FoundAndItsCpuCgroupRemovedAtTheEnd()
    {
        var first = new ProcessExecutor();
        using var dir = new TempDirectory();
        var launch = TestLaunches.Shell(dir, "q.again.1", "sleep 1") with { Priority = PriorityClass.Low, CpuLimitMillis = 250 };
        if (!first.EnforcesCpuLimits)
        {
            Assert.Null(first.CpuQuotaGroupOf(launch));
            return;
        }

        var start = await first.StartAsync(launch, TestContext.Current.CancellationToken);
        Assert.Null(start.Error);
        var quota = first.CpuQuotaGroupOf(launch)!;
        Assert.Equal("25000", File.ReadAllText(Path.Combine(quota, "cpu.cfs_quota_us")).Trim());

        // A second executor, as a restarted scheduler has, finds the attempt and takes over its cgroup.
        var second = new ProcessExecutor();
        await using var found = await second.ReattachAsync(launch, TestContext.Current.CancellationToken);
        Assert.NotNull(found);
        var exit = await found.Exited.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.True(exit.Succeeded, exit.Describe());
        Assert.False(Directory.Exists(quota), "the attempt's cpu cgroup outlived it");
        await start.Process!.Exited.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        await start.Process.DisposeAsync();
    }

    [Fact]
    public async Task ReattachAsync_SchedulerDiedAfterMakingTheCpuCgroupBeforeTheStep_FindsNothingAndRemovesIt()
    {
        var executor = new ProcessExecutor();
        using var dir = new TempDirectory();
        var launch = TestLaunches.Shell(dir, "q.never.1", "true") with { Priority = PriorityClass.High, CpuLimitMillis = 500 };
        if (executor.CpuQuotaGroupOf(launch) is not { } quota)
        {
            Assert.False(CpuCgroups.Writable(), "a cpu controller is writable but limits are not enforced");
            return;
        }

        Directory.CreateDirectory(quota); // what StartAsync makes first, before the wrapper exists

        var found = await executor.ReattachAsync(launch, TestContext.Current.CancellationToken);

        Assert.Null(found);
        Assert.False(Directory.Exists(quota), "the cpu cgroup of an attempt that never started was left behind");
    }

    /// <summary>"0m0.290000s" as seconds.</summary>
    private static double Seconds(string time)
    {
        var m = time.IndexOf('m', StringComparison.Ordinal);
        return (int.Parse(time[..m], CultureInfo.InvariantCulture) * 60) + double.Parse(time[(m + 1)..].TrimEnd('s'), CultureInfo.InvariantCulture);
    }
}
