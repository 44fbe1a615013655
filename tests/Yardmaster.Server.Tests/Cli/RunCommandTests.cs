using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Yardmaster.Server.Tests.Cli;

/// <summary><c>yard run</c>, <c>runs</c>, <c>logs</c> and <c>resume</c> as a user runs them: the real command as a child process on a temp data folder.</summary>
public sealed class RunCommandTests
{
    [Fact]
    public async Task Run_SucceedingPipeline_ExitsZeroAndLogsAreReadable()
    {
        using var dir = new TempDirectory();
        var file = Write(dir, "ok.yaml", """
            name: ok
            steps:
              - id: hello
                run: echo hello from $MODE
                env: { MODE: test }
              - id: after
                needs: [hello]
                run: "true"
            """);
        var (code, stdout, stderr) = await YardProcess.RunAsync(["run", file, "--data", dir.File("data"), "--output", "json"]);
        Assert.True(code == 0, stderr + stdout);
        using var run = JsonDocument.Parse(stdout);
        Assert.Equal("succeeded", run.RootElement.GetProperty("state").GetString());
        Assert.All(run.RootElement.GetProperty("steps").EnumerateArray(), s => Assert.Equal("succeeded", s.GetProperty("state").GetString()));
        var id = run.RootElement.GetProperty("id").GetString()!;
        var logs = await YardProcess.RunAsync(["logs", id, "hello", "--data", dir.File("data")]);
        Assert.Equal(0, logs.ExitCode);
        Assert.Equal("hello from test\n", logs.Stdout);
    }

    /// <summary>
    /// <c>resources.cpu_limit</c> reaches the executor: the capped step runs in its own quota cgroup inside its class's group and
    /// the kernel holds it to a fifth of a core; the uncapped one runs in the class's group. Where no cpu controller is writable
    /// the capped step fails to start, saying why.
    /// </summary>
    [Fact]
    public async Task Run_StepWithACpuLimit_RunsInItsQuotaCgroupThrottledToIt()
    {
        using var dir = new TempDirectory();
        // The step's cpu cgroup, the loop's wall time in ms, then the shell's CPU time.
        const string Report = "grep -E '^[0-9]+:([^:]*,)?cpu(,[^:]*)?:' /proc/self/cgroup; s=$(date +%s%N); i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; echo $(( ($(date +%s%N) - s) / 1000000 )); times";
        var file = Write(dir, "capped.yaml", $$"""
            name: capped
            priority: high
            steps:
              - id: capped
                resources: { cpu: 200m, cpu_limit: true }
                run: {{Report}}
              - id: free
                resources: { cpu: 200m }
                run: {{Report}}
            """);
        var (code, stdout, stderr) = await YardProcess.RunAsync(["run", file, "--data", dir.File("data")]);
        var capped = await YardProcess.RunAsync(["logs", "r1", "capped", "--data", dir.File("data")]);
        if (!CpuCgroups.Writable())
        {
            Assert.Equal(1, code);
            Assert.Contains("cannot be enforced here", stdout + stderr, StringComparison.Ordinal);
            return;
        }

        Assert.True(code == 0, stdout + stderr);
        var lines = capped.Stdout.Split('\n');
        Assert.Contains("/yardmaster-high/yardmaster-step-r1.capped.1-", lines[0], StringComparison.Ordinal);
        var wall = int.Parse(lines[1], System.Globalization.CultureInfo.InvariantCulture) / 1000.0;
        var cpu = lines[2].Split(' ').Sum(t => double.Parse(t[(t.IndexOf('m', StringComparison.Ordinal) + 1)..].TrimEnd('s'), System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(cpu >= 0.05 && wall >= cpu / 0.2 * 0.8, $"{cpu:F2} s of CPU in {wall:F2} s: not held to a fifth of a core");
        var free = await YardProcess.RunAsync(["logs", "r1", "free", "--data", dir.File("data")]);
        Assert.EndsWith("/yardmaster-high", free.Stdout.Split('\n')[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_FailingStep_ExitsOneNamingTheStepAndItsExit()
    {
        using var dir = new TempDirectory();
        var file = Write(dir, "fail.yaml", """
            name: fail
            steps:
              - id: broken
                run: exit 3
              - id: never
                needs: [broken]
                run: "true"
            """);
        var (code, stdout, _) = await YardProcess.RunAsync(["run", file, "--data", dir.File("data")]);
        Assert.Equal(1, code);
        Assert.Contains("broken failed: exit 3", stdout, StringComparison.Ordinal);
        var runs = await YardProcess.RunAsync(["runs", "--data", dir.File("data"), "--output", "json"]);
        using var list = JsonDocument.Parse(runs.Stdout);
        var only = Assert.Single(list.RootElement.GetProperty("runs").EnumerateArray());
        Assert.Equal("failed", only.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Run_InvalidPipeline_ExitsTwoWithEveryErrorAndStartsNothing()
    {
        using var dir = new TempDirectory();
        var file = Write(dir, "bad.yaml", """
            name: bad
            steps:
              - id: a
                needs: [b]
                run: echo a
              - id: b
                needs: [a]
                run: echo b
                timeout: soon
            """);
        var (code, _, stderr) = await YardProcess.RunAsync(["run", file, "--data", dir.File("data")]);
        Assert.Equal(2, code);
        Assert.Contains("bad.yaml:4:", stderr, StringComparison.Ordinal);
        Assert.Contains("a → b → a", stderr, StringComparison.Ordinal);
        Assert.Contains("bad.yaml:9:", stderr, StringComparison.Ordinal);
        Assert.Contains("steps[1].timeout", stderr, StringComparison.Ordinal);
        var runs = await YardProcess.RunAsync(["runs", "--data", dir.File("data"), "--output", "json"]);
        using var list = JsonDocument.Parse(runs.Stdout);
        Assert.Empty(list.RootElement.GetProperty("runs").EnumerateArray());
    }

    [Fact]
    public async Task RunCheck_ValidAndInvalidFiles_ExitZeroOrTwoAndStartNothing()
    {
        using var dir = new TempDirectory();
        var good = Write(dir, "good.yaml", "name: good\nsteps:\n  - id: a\n    run: touch ran.txt\n");
        var bad = Write(dir, "bad.yaml", "name: bad\nsteps:\n  - id: a\n    resources: { cpu: 4096 }\n    run: \"true\"\n");

        var valid = await YardProcess.RunAsync(["run", good, "--check", "--data", dir.File("data")]);
        var invalid = await YardProcess.RunAsync(["run", bad, "--check", "--data", dir.File("data")]);

        Assert.Equal(0, valid.ExitCode);
        Assert.Contains("good.yaml: valid", valid.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, invalid.ExitCode);
        Assert.Contains("bad.yaml:4:", invalid.Stderr, StringComparison.Ordinal);
        Assert.Contains("steps[0].resources.cpu: 4096 is larger than every node", invalid.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(dir.File("data"), "runs")));
    }

    /// <summary>
    /// The scheduler is killed with SIGKILL five times mid-run (once during <c>run</c>, then during each
    /// <c>resume</c>); a last <c>resume</c> finishes the run. Each step appends a line when it starts and one when it
    /// ends: every step started once and ended once, so nothing ran twice and nothing was lost.
    /// </summary>
    [Fact]
    public async Task Resume_AfterKill9MidRun_EveryStepCompletesExactlyOnce()
    {
        using var dir = new TempDirectory();
        var ledger = dir.File("ledger.txt");
        var steps = new StringBuilder("name: crashy\nsteps:\n");
        const int Layers = 6;
        const int Width = 4;
        for (var layer = 0; layer < Layers; layer++)
        {
            for (var i = 0; i < Width; i++)
            {
                steps.Append("  - id: s").Append(layer).Append('_').Append(i).Append('\n');
                if (layer > 0)
                {
                    steps.Append("    needs: [s").Append(layer - 1).Append('_').Append(i).Append(", s").Append(layer - 1).Append('_').Append((i + 1) % Width).Append("]\n");
                }

                steps.Append("    resources: { cpu: 500m }\n");
                steps.Append("    run: echo start-$YARD_STEP_ID >> ").Append(ledger).Append("; sleep 0.4; echo end-$YARD_STEP_ID >> ").Append(ledger).Append('\n');
            }
        }

        var file = Write(dir, "crashy.yaml", steps.ToString());
        var data = dir.File("data");
        // Killed five times at different points: while steps start, while they run, between layers.
        await using (var first = YardProcess.Start(["run", file, "--data", data]))
        {
            await WaitForLinesAsync(ledger, 3);
            await Kill9Async(first);
        }

        foreach (var killAt in new[] { 11, 19, 27, 38 })
        {
            await using var resumed = YardProcess.Start(["resume", "--data", data]);
            await WaitForLinesAsync(ledger, killAt);
            await Kill9Async(resumed);
        }

        var (code, stdout, stderr) = await YardProcess.RunAsync(["resume", "--data", data]);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("crashy) succeeded: 24/24", stdout, StringComparison.Ordinal);
        var lines = await File.ReadAllLinesAsync(ledger, TestContext.Current.CancellationToken);
        for (var layer = 0; layer < Layers; layer++)
        {
            for (var i = 0; i < Width; i++)
            {
                Assert.Single(lines, l => l == $"start-s{layer}_{i}");
                Assert.Single(lines, l => l == $"end-s{layer}_{i}");
            }
        }

        Assert.Equal(Layers * Width * 2, lines.Length);
    }

    /// <summary>The same for container steps: after SIGKILL the containers are found again by their names.</summary>
    [Fact]
    public async Task Resume_AfterKill9WithContainerSteps_EveryStepCompletesExactlyOnce()
    {
        using var dir = new TempDirectory();
        var steps = new StringBuilder("name: crashy-containers\nsteps:\n");
        for (var layer = 0; layer < 3; layer++)
        {
            for (var i = 0; i < 3; i++)
            {
                steps.Append("  - id: c").Append(layer).Append('_').Append(i).Append('\n');
                if (layer > 0)
                {
                    steps.Append("    needs: [c").Append(layer - 1).Append('_').Append(i).Append("]\n");
                }

                steps.Append("    resources: { cpu: 500m }\n");
                steps.Append("    container: { image: yard/busybox:local, command: [\"sh\", \"-c\", \"echo start-$YARD_STEP_ID >> /work/ledger; sleep 1; echo end-$YARD_STEP_ID >> /work/ledger\"] }\n");
            }
        }

        var file = Write(dir, "containers.yaml", steps.ToString());
        var data = dir.File("data");
        var ledger = Path.Combine(data, "runs", "r1", "work", "ledger");
        await using (var first = YardProcess.Start(["run", file, "--data", data]))
        {
            await WaitForLinesAsync(ledger, 2);
            await Kill9Async(first);
        }

        await using (var resumed = YardProcess.Start(["resume", "--data", data]))
        {
            await WaitForLinesAsync(ledger, 9);
            await Kill9Async(resumed);
        }

        var (code, stdout, stderr) = await YardProcess.RunAsync(["resume", "--data", data]);
        Assert.True(code == 0, stdout + stderr);
        var lines = await File.ReadAllLinesAsync(ledger, TestContext.Current.CancellationToken);
        for (var layer = 0; layer < 3; layer++)
        {
            for (var i = 0; i < 3; i++)
            {
                Assert.Single(lines, l => l == $"start-c{layer}_{i}");
                Assert.Single(lines, l => l == $"end-c{layer}_{i}");
            }
        }
    }

    private static string Write(TempDirectory dir, string name, string yaml)
    {
        File.WriteAllText(dir.File(name), yaml);
        return dir.File(name);
    }

    private static async Task WaitForLinesAsync(string path, int count)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (File.Exists(path) && File.ReadAllLines(path).Length >= count)
            {
                return;
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"{path} did not reach {count} lines");
    }

    /// <summary>
    /// SIGKILL, then waits until the process is reaped. Disposing one not yet reaped would kill its whole tree, and the
    /// steps' wrappers are still its children for that instant: they would die with no status, as if lost.
    /// </summary>
    private static async Task Kill9Async(YardProcess process)
    {
        Assert.Equal(0, SendSignal(process.Id, 9));
        _ = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
