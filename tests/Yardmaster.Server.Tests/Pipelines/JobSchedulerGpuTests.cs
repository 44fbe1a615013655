using Yardmaster.Core.Configuration;
using Yardmaster.Core.Pipelines;

namespace Yardmaster.Server.Tests.Pipelines;

/// <summary>GPUs from a recorded inventory (no GPU here): steps get whole devices by their nvidia-smi index, never one device twice at once.</summary>
public sealed class JobSchedulerGpuTests
{
    [Fact]
    public async Task SubmitAsync_GpuSteps_GetDistinctDevicesByTheirInventoryIndex()
    {
        // Two devices numbered 3 and 5 (say, the rest of the machine's GPUs serve models); three one-GPU steps.
        await using var harness = await JobHarness.StartAsync(gpus: [new GpuDevice(3, 80L << 30, "A100"), new GpuDevice(5, 80L << 30, "A100")]);
        var id = await harness.SubmitAsync("""
            name: gpus
            steps:
              - { id: a, run: 'echo "$CUDA_VISIBLE_DEVICES" > a.txt; sleep 0.5', resources: { gpu: 1, cpu: 100m } }
              - { id: b, run: 'echo "$CUDA_VISIBLE_DEVICES" > b.txt; sleep 0.5', resources: { gpu: 1, cpu: 100m } }
              - { id: c, run: 'echo "$CUDA_VISIBLE_DEVICES" > c.txt', resources: { gpu: 1, cpu: 100m } }
              - { id: both, needs: [a, b, c], run: 'echo "$CUDA_VISIBLE_DEVICES" > both.txt', resources: { gpu: 2, cpu: 100m } }
            """);
        var run = await harness.WaitAsync(id);
        Assert.Equal(RunState.Succeeded, run.State);
        var detail = await harness.DetailAsync(id);
        string Seen(string step) => File.ReadAllText(Path.Combine(detail.Run.WorkingDirectory, step + ".txt")).Trim();
        Assert.Equal(["3", "5"], new[] { Seen("a"), Seen("b") }.Order(StringComparer.Ordinal));
        Assert.Contains(Seen("c"), new[] { "3", "5" });
        Assert.Equal("3,5", Seen("both"));
        var a = JobHarness.Attempts(detail, "a").Single();
        var b = JobHarness.Attempts(detail, "b").Single();
        var c = JobHarness.Attempts(detail, "c").Single();

        // c ran on a device only after a or b gave it back.
        Assert.True(c.StartedAt >= new[] { a.EndedAt!.Value, b.EndedAt!.Value }.Min(), "the third GPU step started while both devices were taken");
        Assert.Equal([3, 5], JobHarness.Attempts(detail, "both").Single().Gpus);
    }
}
