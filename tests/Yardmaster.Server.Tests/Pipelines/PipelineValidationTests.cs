using Yardmaster.Core.Configuration;
using Yardmaster.Core.Pipelines;
using Yardmaster.Runtime.Pipelines;
using static Yardmaster.Server.Tests.Pipelines.JobHarness;

namespace Yardmaster.Server.Tests.Pipelines;

/// <summary>A pipeline with many mistakes: every error at once, each with file, line and field; nothing runs.</summary>
public sealed class PipelineValidationTests
{
    private const string Broken = """
        name: broken
        steps:
          - id: a
            needs: c
            run: echo a
            colour: blue
          - id: b
            needs: a
            run: echo b
          - id: c
            needs: b
            run: echo c
          - id: a
            run: echo again
          - id: d
            needs: [a, nope]
            run: echo d
          - id: e
            run: echo e
            timeout: 10 parsecs
          - id: f
            run: echo f
            resources: { memory: 12 potatoes }
          - id: g
            run: echo g
            resources: { cpu: 64 }
          - id: h
            container: { image: yard/busybox:local, command: [true] }
        """;

    private static readonly PipelineEnvironment Local = new()
    {
        Nodes = [new NodeCapacity("local", 4000, 8L << 30, 0)],
        ContainerEngine = null,
    };

    /// <summary>This machine, and a Slurm cluster of two 2-core nodes (as discovery reports them).</summary>
    private static readonly PipelineEnvironment WithSlurm = new()
    {
        Nodes =
        [
            new NodeCapacity("local", 16000, 64L << 30, 0),
            new NodeCapacity("n1", 2000, 4000L << 20, 0) { Engine = Engines.Slurm },
            new NodeCapacity("n2", 2000, 4000L << 20, 0) { Engine = Engines.Slurm },
        ],
    };

    [Fact]
    public void LoadText_StepLargerThanEverySlurmNode_RefusedNamingTheLargest()
    {
        // 4 cores fit this machine but no Slurm node: a step never spans nodes, so it is refused, not queued forever.
        var result = PipelineLoader.LoadText("name: wide\nexecutor: slurm\nsteps:\n  - id: a\n    run: echo a\n    resources: { cpu: 4 }\n", "wide.yaml", WithSlurm);

        var error = Assert.Single(result.Errors);
        Assert.Equal(("steps[0].resources.cpu", 6), (error.Field, error.Line));
        Assert.Equal("4 is larger than every slurm node (the largest has 2)", error.Message);
    }

    [Fact]
    public void LoadText_ExecutorPerStepAndPipeline_EachStepResolvesItsEngine()
    {
        var result = PipelineLoader.LoadText("name: mixed\nexecutor: slurm\nsteps:\n  - id: a\n    run: echo a\n  - id: b\n    executor: local\n    run: echo b\n    resources: { cpu: 8 }\n", "mixed.yaml", WithSlurm);

        Assert.Empty(result.Errors);
        var pipeline = result.Pipeline!;
        Assert.Equal([Engines.Slurm, Engines.Local], pipeline.Steps.Select(s => Engines.Of(s, pipeline, Engines.Local)));
    }

    [Theory]
    [InlineData("executor: lsf\nsteps:\n  - id: a\n    run: echo a\n", "executor", "unknown executor 'lsf'; use local | slurm | kubernetes")]
    [InlineData("steps:\n  - id: a\n    executor: pbs\n    run: echo a\n", "steps[0].executor", "unknown executor 'pbs'; use local | slurm | kubernetes")]
    [InlineData("steps:\n  - id: a\n    executor: kubernetes\n    run: echo a\n", "steps[0].executor", "no kubernetes nodes are known to this scheduler: configure jobs.kubernetes in yard.yaml (and check that the cluster answers), or choose another executor")]
    [InlineData("executor: slurm\nsteps:\n  - id: a\n    container: { image: yard/busybox:local }\n", "steps[0].container", "the slurm executor runs shell commands, not containers")]
    public void LoadText_BadExecutor_ErrorNamesTheField(string body, string field, string message)
    {
        var result = PipelineLoader.LoadText("name: p\n" + body, "p.yaml", WithSlurm with { ContainerEngine = "docker" });

        Assert.Null(result.Pipeline);
        Assert.Contains(result.Errors, e => e.Field == field && e.Message.StartsWith(message, StringComparison.Ordinal));
    }

    [Fact]
    public void LoadText_ManyMistakes_ReportsEveryErrorWithFileLineAndField()
    {
        var result = PipelineLoader.LoadText(Broken, "broken.yaml", Local);

        Assert.Null(result.Pipeline);
        Assert.All(result.Errors, e => Assert.Equal("broken.yaml", e.File));
        var found = result.Errors.Select(e => (e.Field, e.Line)).ToList();
        Assert.Equal(
            [
                ("steps[0].needs", 4),
                ("steps[0].colour", 6),
                ("steps[3].id", 13),
                ("steps[4].needs[1]", 16),
                ("steps[5].timeout", 20),
                ("steps[6].resources.memory", 23),
                ("steps[7].resources.cpu", 26),
                ("steps[8].container", 28),
            ],
            found);
        Assert.Contains("duplicate step id 'a'", Error(result.Errors, "steps[3].id").Message, StringComparison.Ordinal);
        Assert.Contains("unknown step 'nope'", Error(result.Errors, "steps[4].needs[1]").Message, StringComparison.Ordinal);
        Assert.Contains("larger than every node", Error(result.Errors, "steps[7].resources.cpu").Message, StringComparison.Ordinal);
        Assert.Contains("container engine", Error(result.Errors, "steps[8].container").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadText_ThreeStepCycle_NamesTheCycleWithArrows()
    {
        var result = PipelineLoader.LoadText(Broken, "broken.yaml", Local);

        var message = Error(result.Errors, "steps[0].needs").Message;
        var cycle = message[(message.IndexOf(':', StringComparison.Ordinal) + 2)..message.IndexOf(" (", StringComparison.Ordinal)];
        var ids = cycle.Split(" → ");
        Assert.Equal(4, ids.Length);
        Assert.Equal(ids[0], ids[3]);
        Assert.Equal(["a", "b", "c"], ids[..3].Order());
        // Each needs the next: a needs c, c needs b, b needs a.
        var needs = new Dictionary<string, string> { ["a"] = "c", ["c"] = "b", ["b"] = "a" };
        Assert.All(Enumerable.Range(0, 3), i => Assert.Equal(needs[ids[i]], ids[i + 1]));
    }

    [Fact]
    public async Task SubmitAsync_InvalidPipelineWithDockerDisabled_ReturnsErrorsAndStartsNothing()
    {
        await using var harness = await StartAsync(cpuMillis: 4000, docker: false);
        Assert.Null(harness.Host.Scheduler.Environment.ContainerEngine);

        var (id, errors) = await harness.Host.Scheduler.SubmitAsync(Broken, "broken.yaml", Token);

        Assert.Null(id);
        Assert.Equal(8, errors.Count);
        Assert.Equal(28, Error(errors, "steps[8].container").Line);
        Assert.Empty(await harness.Host.Store.ListRunsAsync(null, 10, Token));
        Assert.False(Directory.Exists(Path.Combine(harness.DataDirectory, "runs")) && Directory.EnumerateFileSystemEntries(Path.Combine(harness.DataDirectory, "runs")).Any());
    }

    private static ConfigError Error(IReadOnlyList<ConfigError> errors, string field) => Assert.Single(errors, e => e.Field == field);

    [Theory]
    [InlineData(true, ".", null)]
    [InlineData(true, "sub", null)]
    [InlineData(true, "..", "is outside the folders a run may use")]
    [InlineData(false, ".", "is outside the folders a run may use; a run uses its own folder (DATA/runs/RUN, working directory DATA/runs/RUN/work); list other folders in jobs.allowed_dirs")]
    public void LoadText_Workdir_AllowedInTheFileFolderOnlyForEmbeddedRuns(bool embedded, string workdir, string? error)
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("pipelines/sub"));
        var environment = Local with { SourceFolderAllowed = embedded };

        var result = PipelineLoader.LoadText($"name: w\nworkdir: {workdir}\nsteps:\n  - id: a\n    run: \"true\"\n", dir.File("pipelines/p.yaml"), environment);

        if (error is null)
        {
            Assert.True(result.Success, string.Join(Environment.NewLine, result.Errors));
            return;
        }

        var found = Assert.Single(result.Errors);
        Assert.Equal(("workdir", 2), (found.Field, found.Line));
        Assert.Contains(error, found.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadText_WorkdirInAnAllowedDir_Valid()
    {
        using var dir = new TempDirectory();

        var result = PipelineLoader.LoadText($"name: w\nworkdir: {dir.Path}\nsteps:\n  - id: a\n    run: \"true\"\n", "client.yaml", Local with { AllowedDirectories = [dir.Path] });

        Assert.True(result.Success, string.Join(Environment.NewLine, result.Errors));
    }

    [Theory]
    [InlineData("normal", "", "steps[0].resources.memory")] // not preemptible: the 6 GiB reserve leaves it 2 GiB
    [InlineData("batch", "", null)] // preemptible by default: may borrow the reserve
    [InlineData("normal", "\n    preemptible: true", null)]
    public void LoadText_StepThatFitsOnlyWithTheServingReserve_RefusedUnlessPreemptible(string priority, string extra, string? field)
    {
        var yaml = $"name: r\npriority: {priority}\nsteps:\n  - id: a\n    run: \"true\"\n    resources: {{ memory: 4GiB }}{extra}\n";

        var result = PipelineLoader.LoadText(yaml, "r.yaml", Local with { ServingReserve = 6L << 30 });

        if (field is null)
        {
            Assert.True(result.Success, string.Join(Environment.NewLine, result.Errors));
            return;
        }

        Assert.Equal("4.0 GiB is more than steps that may not be preempted can have (2.0 GiB: pool.serving_reserve holds 6.0 GiB of 8.0 GiB back for models); ask less, or set preemptible: true", Error(result.Errors, field).Message);
    }

    [Theory]
    [InlineData("{ cpu: 500m, cpu_limit: true }", 500L)]
    [InlineData("{ cpu: 500m, cpu_limit: 1500m }", 1500L)]
    [InlineData("{ cpu: 2, cpu_limit: 2.5 }", 2500L)]
    [InlineData("{ cpu: 500m, cpu_limit: false }", null)]
    [InlineData("{ cpu: 500m }", null)]
    public void LoadText_CpuLimit_TrueCapsAtTheRequestAnAmountAtItselfFalseNotAtAll(string resources, long? limit)
    {
        var result = PipelineLoader.LoadText($"name: c\nsteps:\n  - id: a\n    run: \"true\"\n    resources: {resources}\n", "c.yaml", Local);

        Assert.True(result.Success, string.Join(Environment.NewLine, result.Errors));
        Assert.Equal(limit, result.Pipeline!.Steps[0].CpuLimitMillis);
    }

    [Theory]
    [InlineData("run: \"true\"\n    resources: { cpu: 500m, cpu_limit: lots }", "'lots' is not a CPU amount; use cores (1, 0.5, 2) or millicores (500m); or true to cap the step at its cpu, false for no cap")]
    [InlineData("run: \"true\"\n    resources: { cpu: 1, cpu_limit: 500m }", "500m is below resources.cpu (1): the step would hold cores it may not use; ask less cpu or a higher limit (true caps it at cpu)")]
    [InlineData("run: \"true\"\n    resources: { cpu: 0, cpu_limit: 5m }", "5m is below the smallest limit, 10m (a quota of 1 ms every 100 ms)")]
    [InlineData("run: \"true\"\n    resources: { cpu: 0, cpu_limit: true }", "true caps the step at resources.cpu, which is 0; ask some cpu, or give the limit as an amount (500m)")]
    [InlineData("run: \"true\"\n    resources: { cpu: 1, cpu_limit: 32 }", "32 is more than every node has (the largest has 16): a cap above the node caps nothing")]
    [InlineData("inference: { task: t, input: in.jsonl, output: out.jsonl }\n    resources: { cpu: 1, cpu_limit: true }", "applies to run and container steps; an inference or evaluate step's work runs in the model server, whose cores serving shares by class")]
    [InlineData("executor: slurm\n    run: \"true\"\n    resources: { cpu: 1, cpu_limit: true }", "is not passed to Slurm, which confines a job to its allocated cores by its own cgroup plugin (ConstrainCores); remove cpu_limit, or run the step on local or kubernetes")]
    public void LoadText_BadCpuLimit_RefusedAtItsLineNamingWhy(string body, string message)
    {
        var result = PipelineLoader.LoadText($"name: c\nsteps:\n  - id: a\n    {body}\n", "c.yaml", WithSlurm with { InferenceTasks = ["t"] });

        var error = Assert.Single(result.Errors);
        Assert.Equal(("steps[0].resources.cpu_limit", message, 4 + body.Count(c => c == '\n')), (error.Field, error.Message, error.Line));
    }
}
