using Yardmaster.Core.Pipelines;
using Yardmaster.Runtime.Pipelines;

namespace Yardmaster.Server.Tests.Pipelines;

/// <summary>The documented examples in <c>samples/pipelines/</c> validate, and those that need nothing beyond this machine run.</summary>
public sealed class SamplePipelinesTests
{
    private static readonly string _samples = FindSamples();

    public static TheoryData<string> Files() => [.. Directory.GetFiles(_samples, "*.yaml").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Files))]
    public void LoadText_EverySample_IsValidWithDockerGpusAndTasks(string file)
    {
        var environment = new PipelineEnvironment
        {
            Nodes = [new NodeCapacity("local", 8000, 32L << 30, 2)],
            ContainerEngine = "docker",
            InferenceTasks = ["chat", "batch", "small", "large"], // tasks and models a server serves
            SourceFolderAllowed = true, // as `yard run FILE` validates: retries.yaml runs in its own folder
        };
        var loaded = PipelineLoader.Load(Path.Combine(_samples, file), environment);
        Assert.True(loaded.Success, string.Join(Environment.NewLine, loaded.Errors));
    }

    [Theory]
    [InlineData("nightly-eval.yaml", 3)]
    [InlineData("diamond.yaml", 4)]
    [InlineData("fan-out.yaml", 5)]
    public async Task SubmitAsync_RunnableSample_Succeeds(string file, int steps)
    {
        await using var harness = await JobHarness.StartAsync();
        var path = Path.Combine(_samples, file);
        var (id, errors) = await harness.Host.Scheduler.SubmitAsync(await File.ReadAllTextAsync(path, JobHarness.Token), path, JobHarness.Token);
        Assert.Empty(errors);
        var run = await harness.Host.Scheduler.WaitAsync(id!, JobHarness.Token).WaitAsync(TimeSpan.FromSeconds(60), JobHarness.Token);
        Assert.Equal(RunState.Succeeded, run!.State);
        var detail = await harness.Host.Store.GetRunAsync(id!, JobHarness.Token);
        Assert.Equal(steps, detail!.Steps.Count(s => s.State == StepState.Succeeded));
    }

    private static string FindSamples()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "samples", "pipelines");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("samples/pipelines not found above " + AppContext.BaseDirectory);
    }
}
