using System.Diagnostics;
using System.Text;
using Yardmaster.Core.Pipelines;
using static Yardmaster.Server.Tests.Pipelines.JobHarness;

namespace Yardmaster.Server.Tests.Pipelines;

/// <summary>A large layered DAG validated and run to the end: every step exactly once.</summary>
public sealed class JobSchedulerScaleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SubmitAsync_TenThousandStepLayeredDag_EveryStepSucceedsExactlyOnce()
    {
        // 100 layers of 100 on 2 cores of 100m steps: about 12 s here (20 at once).
        const int layers = 100, width = 100;
        var yaml = Layered(layers, width, seed: 42);
        await using var harness = await StartAsync(cpuMillis: 2000, root: TempDirectory.InMemoryRoot);
        var clock = Stopwatch.StartNew();

        var id = await harness.SubmitAsync(yaml);
        var submitted = clock.Elapsed;
        var run = await harness.WaitAsync(id, TimeSpan.FromMinutes(15));
        output.WriteLine($"{layers * width} steps: submitted in {submitted.TotalSeconds:F1} s, ran in {clock.Elapsed.TotalSeconds:F1} s");

        Assert.True(run.State == RunState.Succeeded, $"{run.State}: {run.Reason}");
        var detail = await harness.DetailAsync(id);
        Assert.Equal(layers * width, detail.Steps.Count);
        Assert.All(detail.Steps, s => Assert.Equal((StepState.Succeeded, 1), (s.State, s.Attempts)));
        Assert.Equal(layers * width, detail.Attempts.Count);
        Assert.All(detail.Attempts, a => Assert.Equal(AttemptOutcome.Succeeded, a.Outcome));
        var ended = detail.Attempts.ToDictionary(a => a.StepId, a => a.EndedAt!.Value);
        var started = detail.Attempts.ToDictionary(a => a.StepId, a => a.StartedAt);
        foreach (var (step, needs) in Needs(layers, width, seed: 42))
        {
            Assert.All(needs, n => Assert.True(started[step] >= ended[n], $"{step} started before {n} ended"));
        }
    }

    /// <summary>Layer L step i needs step i of layer L-1 and, for some, one more of that layer.</summary>
    private static IEnumerable<(string Step, string[] Needs)> Needs(int layers, int width, int seed)
    {
        var random = new Random(seed);
        for (var l = 0; l < layers; l++)
        {
            for (var i = 0; i < width; i++)
            {
                if (l == 0)
                {
                    yield return ($"s{l}_{i}", []);
                    continue;
                }

                var other = random.Next(width);
                yield return ($"s{l}_{i}", other == i || random.Next(2) == 0 ? [$"s{l - 1}_{i}"] : [$"s{l - 1}_{i}", $"s{l - 1}_{other}"]);
            }
        }
    }

    private static string Layered(int layers, int width, int seed)
    {
        var yaml = new StringBuilder("name: layered\nsteps:\n");
        foreach (var (step, needs) in Needs(layers, width, seed))
        {
            yaml.Append("  - id: ").Append(step).Append('\n');
            if (needs.Length > 0)
            {
                yaml.Append("    needs: [").Append(string.Join(", ", needs)).Append("]\n");
            }

            yaml.Append("    run: \"true\"\n    resources: { cpu: 100m }\n");
        }

        return yaml.ToString();
    }
}
