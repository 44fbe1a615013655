using Yardmaster.Executors.Process;

namespace Yardmaster.Executors.Tests.Process;

public sealed class ProcessExecutorMemoryTests
{
    private readonly ProcessExecutor _executor = new();

    [Fact]
    public async Task StartAsync_StepAboveItsMemoryLimit_IsReportedOomKilled()
    {
        using var dir = new TempDirectory();
        // tail keeps the whole last line, and /dev/zero has no newline: it buffers all 200 MiB.
        var launch = TestLaunches.Shell(dir, "m.oom.1", "head -c 200m /dev/zero | tail", memoryBytes: 32L << 20);

        var exit = await TestLaunches.RunAsync(_executor, launch);

        if (!_executor.EnforcesMemoryLimits)
        {
            Assert.False(CgroupsWritable(), "cgroups are writable but the executor does not enforce limits");
            Assert.False(exit.OomKilled);
            return;
        }

        Assert.True(exit.OomKilled, exit.Describe());
        Assert.False(Directory.Exists(Path.Combine(_executor.CgroupRoot!, launch.AttemptId)), "the attempt's cgroup was left behind");
    }

    [Fact]
    public async Task StartAsync_StepWithinItsMemoryLimit_SucceedsAndRemovesItsCgroup()
    {
        using var dir = new TempDirectory();
        var launch = TestLaunches.Shell(dir, "m.fits.1", "head -c 1m /dev/zero | tail | wc -c", memoryBytes: 64L << 20);

        var exit = await TestLaunches.RunAsync(_executor, launch);

        Assert.True(exit.Succeeded, exit.Describe());
        Assert.Equal("1048576", (await File.ReadAllTextAsync(launch.LogPath, TestContext.Current.CancellationToken)).Trim());
        Assert.Equal(CgroupsWritable(), _executor.EnforcesMemoryLimits);
        if (_executor.EnforcesMemoryLimits)
        {
            Assert.False(Directory.Exists(Path.Combine(_executor.CgroupRoot!, launch.AttemptId)));
        }
    }

    [Fact]
    public void Constructor_MemoryLimitsOff_DoesNotEnforceThem()
    {
        var executor = new ProcessExecutor(new ProcessExecutorOptions { MemoryLimits = false });
        Assert.False(executor.EnforcesMemoryLimits);
        Assert.Null(executor.CgroupRoot);
    }

    [Fact]
    public void Constructor_CgroupRootWithoutMemoryController_DoesNotEnforceLimitsAndLeavesNothingBehind()
    {
        using var dir = new TempDirectory();
        var root = dir.File("not-a-cgroup");

        var executor = new ProcessExecutor(new ProcessExecutorOptions { CgroupRoot = root });

        Assert.False(executor.EnforcesMemoryLimits);
        Assert.False(Directory.Exists(root));
    }

    private static bool CgroupsWritable()
    {
        foreach (var root in new[] { "/sys/fs/cgroup/memory", "/sys/fs/cgroup" })
        {
            var probe = Path.Combine(root, "yard-test-probe-" + Guid.NewGuid().ToString("N"));
            try
            {
                Directory.CreateDirectory(probe);
                Directory.Delete(probe);
                if (File.Exists(Path.Combine(root, "memory.limit_in_bytes")) || File.ReadAllText(Path.Combine(root, "cgroup.controllers")).Contains("memory", StringComparison.Ordinal))
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
