using System.Globalization;
using Yardmaster.Core.Execution;
using Yardmaster.Executors.Process;

namespace Yardmaster.Executors.Tests.Process;

public sealed class ProcessExecutorTests
{
    private readonly ProcessExecutor _executor = new();

    [Fact]
    public async Task StartAsync_EnvironmentAndWorkingDirectory_ReachTheChild()
    {
        using var dir = new TempDirectory();
        var launch = TestLaunches.Shell(dir, "e.env.2", "echo \"$GREETING|$CUDA_VISIBLE_DEVICES|$YARD_RUN_ID|$YARD_STEP_ID|$YARD_ATTEMPT|$(pwd)|$HOME\"") with
        {
            Attempt = 2,
            Environment = new Dictionary<string, string> { ["GREETING"] = "it's \"quoted\" $HOME" },
            Gpus = [1, 3],
        };

        var exit = await TestLaunches.RunAsync(_executor, launch);

        Assert.True(exit.Succeeded, exit.Describe());
        var home = Environment.GetEnvironmentVariable("HOME");
        Assert.Equal($"it's \"quoted\" $HOME|1,3|r1|s1|2|{dir.Path}|{home}\n", await File.ReadAllTextAsync(launch.LogPath, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task StartAsync_QuotesInCommand_ReachTheShellIntactWithNoPositionalParameters()
    {
        using var dir = new TempDirectory();
        var launch = TestLaunches.Shell(dir, "e.quote.1", "printf '%s|%s\\n' \"it's; \\\"x\\\" $(echo ok)\" \"$#\" && echo to-stderr >&2");

        var exit = await TestLaunches.RunAsync(_executor, launch);

        Assert.True(exit.Succeeded, exit.Describe());
        Assert.Equal("it's; \"x\" ok|0\nto-stderr\n", await File.ReadAllTextAsync(launch.LogPath, TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("exit 3", 3)]
    [InlineData("true; exit 0", 0)]
    [InlineData("no-such-command-yard", 127)]
    [InlineData("sh -c 'kill -9 $$'", 137)]
    public async Task StartAsync_Command_ReportsTheShellsExitStatus(string command, int expected)
    {
        using var dir = new TempDirectory();
        var exit = await TestLaunches.RunAsync(_executor, TestLaunches.Shell(dir, "e.code.1", command));
        Assert.Equal(expected, exit.ExitCode);
        Assert.Null(exit.Signal);
    }

    [Fact]
    public async Task StartAsync_MissingWorkingDirectory_FailsNamingIt()
    {
        using var dir = new TempDirectory();
        var missing = dir.File("not-there");
        var start = await _executor.StartAsync(TestLaunches.Shell(dir, "e.nowd.1", "true") with { WorkingDirectory = missing }, TestContext.Current.CancellationToken);
        Assert.Null(start.Process);
        Assert.Contains(missing, start.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_ContainerStep_FailsAsNotAShellStep()
    {
        using var dir = new TempDirectory();
        var launch = TestLaunches.Shell(dir, "e.ctr.1", "true") with { Command = null, Container = new ContainerSpec("x:y", null) };
        var start = await _executor.StartAsync(launch, TestContext.Current.CancellationToken);
        Assert.Contains("docker", start.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_WritesThePidFileBeforeReturning()
    {
        using var dir = new TempDirectory();
        var launch = TestLaunches.Shell(dir, "e.pid.1", "exit 0");
        var start = await _executor.StartAsync(launch, TestContext.Current.CancellationToken);
        var record = PidFile.TryRead(launch.AttemptDirectory);
        Assert.NotNull(record);
        Assert.Equal("pid " + record.Pid.ToString(CultureInfo.InvariantCulture), start.Process!.Locator);
        await start.Process.Exited.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task StartAsync_TwoHundredConcurrentChildren_AllComplete()
    {
        using var dir = new TempDirectory(TempDirectory.InMemoryRoot);
        var exits = new List<Task<StepExit>>();
        for (var i = 0; i < 200; i++)
        {
            var start = await _executor.StartAsync(TestLaunches.Shell(dir, $"e.many.{i}", i % 2 == 0 ? "true" : "exit 1"), TestContext.Current.CancellationToken);
            exits.Add(start.Process!.Exited);
        }

        var results = await Task.WhenAll(exits).WaitAsync(TimeSpan.FromSeconds(120), TestContext.Current.CancellationToken);

        Assert.Equal(Enumerable.Range(0, 200).Select(i => i % 2), results.Select(r => r.ExitCode!.Value));
    }

    [Fact]
    public async Task StartAsync_AlongsideSystemDiagnosticsProcess_LeavesItsExitStatusAlone()
    {
        using var dir = new TempDirectory();
        using var other = System.Diagnostics.Process.Start("/bin/sh", ["-c", "sleep 1; exit 4"]);
        var exits = new List<Task<StepExit>>();
        for (var i = 0; i < 20; i++)
        {
            exits.Add((await _executor.StartAsync(TestLaunches.Shell(dir, $"e.mixed.{i}", "true"), TestContext.Current.CancellationToken)).Process!.Exited);
        }

        await other.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        await Task.WhenAll(exits).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        Assert.Equal(4, other.ExitCode);
    }
}
