using Yardmaster.Core.Execution;
using Yardmaster.Executors.Docker;

namespace Yardmaster.Executors.Tests.Docker;

/// <summary>Starting and stopping container steps on the real engine.</summary>
public sealed class DockerExecutorTests(DockerEngineFixture engine) : IClassFixture<DockerEngineFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StartAsync_RunDirectory_IsMountedReadWriteAtWorkDir()
    {
        using var dir = new TempDirectory();
        var launch = engine.Launch(dir, "mount.1", "sh", "-c", "wc -l /work/data.jsonl && echo written > /work/out.txt");
        await File.WriteAllTextAsync(Path.Combine(launch.WorkingDirectory, "data.jsonl"), "{}\n{}\n{}\n", Token);

        var exit = await RunAsync(launch);

        Assert.True(exit.Succeeded, exit.Describe());
        Assert.Contains("3 /work/data.jsonl", await File.ReadAllTextAsync(launch.LogPath, Token), StringComparison.Ordinal);
        Assert.Equal("written\n", await File.ReadAllTextAsync(Path.Combine(launch.WorkingDirectory, "out.txt"), Token));
    }

    [Fact]
    public async Task StartAsync_Environment_ReachesTheContainerWithTheYardVariables()
    {
        using var dir = new TempDirectory();
        var launch = engine.Launch(dir, "env.1", "sh", "-c", "echo \"$GREETING|$YARD_STEP_ID|$YARD_ATTEMPT\" && echo to-stderr >&2")
            with { Environment = new Dictionary<string, string> { ["GREETING"] = "hello there" } };

        var exit = await RunAsync(launch);

        Assert.True(exit.Succeeded, exit.Describe());
        var log = await File.ReadAllTextAsync(launch.LogPath, Token);
        Assert.Contains("hello there|env.1|1", log, StringComparison.Ordinal);
        Assert.Contains("to-stderr", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_Ended_RemovesTheContainerAndRecordsItsId()
    {
        using var dir = new TempDirectory();
        var launch = engine.Launch(dir, "cleanup.1", "true");

        var exit = await RunAsync(launch);

        Assert.True(exit.Succeeded, exit.Describe());
        Assert.Null(await engine.InspectAsync(launch));
        Assert.Contains("id=", await File.ReadAllTextAsync(Path.Combine(launch.AttemptDirectory, "docker-container"), Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_MissingImage_FailsNamingTheImage()
    {
        using var dir = new TempDirectory();
        var launch = engine.Launch(dir, "noimage.1", "true") with { Container = new ContainerSpec("yard/not-here:never", ["true"]) };

        var start = await engine.Executor.StartAsync(launch, Token);

        Assert.Null(start.Process);
        Assert.Contains("image 'yard/not-here:never' is not present locally", start.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_AbsentEngine_FailsNamingTheSocket()
    {
        using var dir = new TempDirectory();
        var socket = dir.File("no-docker.sock");
        using var executor = new DockerExecutor(new DockerExecutorOptions { SocketPath = socket }, TimeProvider.System);

        var start = await executor.StartAsync(engine.Launch(dir, "noengine.1", "true"), Token);

        Assert.Null(start.Process);
        Assert.Contains(socket, start.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_CommandNotInImage_FailsAndLeavesNoContainer()
    {
        using var dir = new TempDirectory();
        var launch = engine.Launch(dir, "nocmd.1", "/no/such/program");

        var start = await engine.Executor.StartAsync(launch, Token);

        Assert.Null(start.Process);
        Assert.Contains("could not start", start.Error, StringComparison.Ordinal);
        Assert.Null(await engine.InspectAsync(launch));
    }

    [Fact]
    public async Task StartAsync_OverMemoryLimit_IsOomKilled()
    {
        using var dir = new TempDirectory();
        var launch = engine.Launch(dir, "oom.1", "sh", "-c", "x=a; while true; do x=$x$x; done") with { MemoryBytes = 16L << 20 };

        var exit = await RunAsync(launch);

        Assert.True(exit.OomKilled, exit.Describe());
        Assert.False(exit.Succeeded);
    }

    [Fact]
    public async Task StopAsync_LongSleep_EndsItWithinTheGraceAndIsIdempotent()
    {
        using var dir = new TempDirectory();
        var launch = engine.Launch(dir, "stop.1", "sleep", "300");
        var start = await engine.Executor.StartAsync(launch, Token);
        await using var process = start.Process!;

        await process.StopAsync(TimeSpan.FromSeconds(1), Token).WaitAsync(TimeSpan.FromSeconds(30), Token);
        await process.StopAsync(TimeSpan.FromSeconds(1), Token);

        Assert.True(process.Exited.IsCompleted);
        var exit = await process.Exited;
        Assert.NotNull(exit.Signal);
        Assert.Null(exit.Error);
        Assert.Null(await engine.InspectAsync(launch));
    }

    [Theory]
    [InlineData(Core.PriorityClass.Batch, 250L, "16", "25000", "1", "25000 100000")]
    [InlineData(Core.PriorityClass.Normal, 0L, "256", "-1", "10", "max 100000")]
    public async Task StartAsync_ClassAndCpuLimit_ContainerWeightedByItsClassAndCappedOnlyWhenAsked(Core.PriorityClass priority, long limit, string shares, string quota, string weight, string max)
    {
        using var dir = new TempDirectory();
        // v1 (this machine): cpu.shares and the CFS quota; v2: cpu.weight (runc's conversion of the shares) and cpu.max.
        var launch = engine.Launch(dir, "cpu-" + priority.ToString().ToLowerInvariant() + ".1", "sh", "-c",
            "cat /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cat /sys/fs/cgroup/cpu.weight /sys/fs/cgroup/cpu.max")
            with { Priority = priority, CpuMillis = 250, CpuLimitMillis = limit };

        var exit = await RunAsync(launch);

        Assert.True(exit.Succeeded, exit.Describe());
        var lines = (await File.ReadAllLinesAsync(launch.LogPath, Token)).Where(l => l.Length > 0).ToArray();
        Assert.Contains(string.Join('|', lines), new[] { shares + "|" + quota, weight + "|" + max });
    }

    private async Task<StepExit> RunAsync(StepLaunch launch)
    {
        var start = await engine.Executor.StartAsync(launch, Token);
        Assert.Null(start.Error);
        await using var process = start.Process!;
        return await process.Exited.WaitAsync(Patience, Token);
    }
}
