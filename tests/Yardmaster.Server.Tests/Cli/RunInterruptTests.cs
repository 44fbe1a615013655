using System.Text.Json;

namespace Yardmaster.Server.Tests.Cli;

/// <summary>Ctrl-C on <c>yard run</c> (embedded: the run is cancelled; with <c>--server</c>: it goes on) and <c>yard runs RUN --watch</c>.</summary>
public sealed class RunInterruptTests(YardServeFixture server) : IClassFixture<YardServeFixture>
{
    [Fact]
    public async Task Run_CtrlCWithServer_Exits130SayingTheRunContinuesAndHowToCancelOrWatchIt()
    {
        using var dir = new TempDirectory();
        var gate = dir.File("go");
        var file = Write(dir, "wait.yaml", $"name: wait\nsteps:\n  - id: wait\n    run: while [ ! -f {gate} ] && [ -d {dir.Path} ]; do sleep 0.05; done\n");
        await using var run = YardProcess.Start(["run", file, "--server", server.Url], ServerEnvironment(dir));
        var id = (await run.WaitForLineAsync("run ", TimeSpan.FromSeconds(60))).Split(' ')[0];
        await run.WaitForLineAsync("  wait: running", TimeSpan.FromSeconds(60));

        var code = await run.InterruptAsync(TimeSpan.FromSeconds(30));
        var (_, detail, _) = await server.RunAsync(["runs", id, "--output", "json"]);
        await using var watch = YardProcess.Start(["runs", id, "--watch", "--server", server.Url], ServerEnvironment(dir));
        await watch.WaitForLineAsync($"run {id} (wait) running", TimeSpan.FromSeconds(60));
        await File.WriteAllTextAsync(gate, string.Empty, TestContext.Current.CancellationToken);
        var watchCode = await watch.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(130, code);
        Assert.Equal(
            $"stopped watching; run {id} continues on {server.Url}\n" +
            $"  cancel it: yard cancel {id} --server {server.Url}\n" +
            $"  watch it:  yard runs {id} --watch --server {server.Url}\n",
            run.Stderr);
        Assert.Equal("running", JsonDocument.Parse(detail).RootElement.GetProperty("state").GetString());
        Assert.Equal(0, watchCode);
        Assert.Contains($"run {id} (wait) succeeded: 1/1 steps succeeded", watch.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsWatch_ServerRunCancelled_Exits1WithTheCancelledRun()
    {
        using var dir = new TempDirectory();
        var file = Write(dir, "long.yaml", "name: long\nsteps:\n  - id: long\n    run: sleep 600\n");
        var submitted = await server.RunAsync(["run", file, "--detach"]);
        var id = submitted.Stdout.Trim();
        await using var watch = YardProcess.Start(["runs", id, "--watch", "--server", server.Url], ServerEnvironment(dir));
        await watch.WaitForLineAsync("  long: running", TimeSpan.FromSeconds(60));

        var cancel = await server.RunAsync(["cancel", id]);
        var code = await watch.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(cancel.ExitCode == 0, cancel.Stderr);
        Assert.Equal(1, code);
        Assert.Contains($"run {id} (long) cancelled", watch.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_CtrlCEmbedded_CancelsTheRunWithTheReasonCtrlC()
    {
        using var dir = new TempDirectory();
        var file = Write(dir, "long.yaml", "name: long\nsteps:\n  - id: long\n    run: sleep 600\n");
        var data = dir.File("data");
        await using var run = YardProcess.Start(["run", file, "--data", data], YardServeFixture.Environment(dir.Path));
        await run.WaitForLineAsync("  long: running", TimeSpan.FromSeconds(60));

        var code = await run.InterruptAsync(TimeSpan.FromSeconds(60));
        var (_, list, _) = await YardProcess.RunAsync(["runs", "--data", data, "--output", "json"], YardServeFixture.Environment(dir.Path));

        Assert.Equal(130, code);
        Assert.Contains("run r1 cancelled with Ctrl-C", run.Stderr, StringComparison.Ordinal);
        var only = Assert.Single(JsonDocument.Parse(list).RootElement.GetProperty("runs").EnumerateArray());
        Assert.Equal("cancelled", only.GetProperty("state").GetString());
        Assert.Equal("cancelled with Ctrl-C", only.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task RunsWatch_EmbeddedRunOfAnotherProcess_FollowsItToTheEndAndExits0()
    {
        using var dir = new TempDirectory();
        var gate = dir.File("go");
        var file = Write(dir, "wait.yaml", $"name: wait\nsteps:\n  - id: wait\n    run: while [ ! -f {gate} ] && [ -d {dir.Path} ]; do sleep 0.05; done\n  - id: after\n    needs: [wait]\n    run: \"true\"\n");
        var data = dir.File("data");
        await using var run = YardProcess.Start(["run", file, "--data", data], YardServeFixture.Environment(dir.Path));
        await run.WaitForLineAsync("  wait: running", TimeSpan.FromSeconds(60));

        await using var watch = YardProcess.Start(["runs", "r1", "--watch", "--data", data], YardServeFixture.Environment(dir.Path));
        await watch.WaitForLineAsync("run r1 (wait) running", TimeSpan.FromSeconds(60));
        await File.WriteAllTextAsync(gate, string.Empty, TestContext.Current.CancellationToken);
        var code = await watch.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, code);
        Assert.Contains("  after: succeeded (attempt 1)", watch.Stdout, StringComparison.Ordinal);
        Assert.Contains("run r1 (wait) succeeded: 2/2 steps succeeded", watch.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, await run.WaitForExitAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task RunsWatch_WithoutARunId_Exits2()
    {
        using var dir = new TempDirectory();

        var (code, _, stderr) = await YardProcess.RunAsync(["runs", "--watch", "--data", dir.Path], YardServeFixture.Environment(dir.Path));

        Assert.Equal(2, code);
        Assert.Contains("--watch needs a run id: yard runs RUN --watch", stderr, StringComparison.Ordinal);
    }

    /// <summary>The fixture's environment with the admin key, for commands started here rather than through the fixture.</summary>
    private static Dictionary<string, string> ServerEnvironment(TempDirectory dir)
    {
        var env = YardServeFixture.Environment(dir.Path);
        env["YARD_ADMIN_KEY"] = YardServeFixture.AdminKey;
        return env;
    }

    private static string Write(TempDirectory dir, string name, string yaml)
    {
        File.WriteAllText(dir.File(name), yaml);
        return dir.File(name);
    }
}
