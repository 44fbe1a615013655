using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Yardmaster.Server.Tests.Slurm;

/// <summary>Pipelines whose steps run on the real two-node Slurm cluster through a gateway (<c>jobs.executor: slurm</c>).</summary>
public sealed class SlurmPipelineTests(SlurmGatewayFixture fixture) : IClassFixture<SlurmGatewayFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HttpClient Http => fixture.Gateway.Http;

    [Fact]
    public async Task PostRuns_FourWholeNodeSteps_LandOnBothNodesWithTheirLogsAndLocators()
    {
        // Each step takes a whole node (2 CPUs), so two run at once, one on each node.
        var steps = string.Concat(Enumerable.Range(1, 4).Select(i => $"""
              - id: s{i}
                run: echo "node $SLURMD_NODENAME"; sleep 1
                resources: {"{"} cpu: 2 {"}"}

            """));
        var id = await SlurmRuns.SubmitAsync(Http, "name: spread\nsteps:\n" + steps);

        var run = await SlurmRuns.WaitEndedAsync(Http, id);

        Assert.Equal("succeeded", run.GetProperty("state").GetString());
        var nodes = new HashSet<string>();
        foreach (var step in new[] { "s1", "s2", "s3", "s4" })
        {
            var attempt = Assert.Single(SlurmRuns.Attempts(run, step));
            var node = attempt.GetProperty("node").GetString()!;
            Assert.Contains(node, fixture.Cluster.Nodes);
            Assert.Equal("slurm", attempt.GetProperty("executor").GetString());
            Assert.Matches($"^slurm job [0-9]+ on {node}$", attempt.GetProperty("locator").GetString());
            using var log = await Http.GetAsync($"/api/runs/{id}/logs/{step}", Ct);
            Assert.Equal($"node {node}\n", await log.Content.ReadAsStringAsync(Ct));
            nodes.Add(node);
        }

        Assert.Equal(fixture.Cluster.Nodes.Order(), nodes.Order());
    }

    [Fact]
    public async Task PostRuns_MapOnSlurm_EachItemAJobOfItsOwnAndTheOutputsMergedInOrder()
    {
        var id = await SlurmRuns.SubmitAsync(Http, """
            name: slurm-map
            steps:
              - id: each
                map: { items: [a, b, c, d] }
                resources: { cpu: 1 }
                run: 'echo "$YARD_ITEM_INDEX $YARD_ITEM on $SLURMD_NODENAME"; printf "{\"item\":\"%s\",\"node\":\"%s\"}" "$YARD_ITEM" "$SLURMD_NODENAME" > "$YARD_OUTPUTS"'
              - id: after
                needs: each
                when: steps.each.outputs.items[3].item == 'd'
                run: echo after
            """);

        var run = await SlurmRuns.WaitEndedAsync(Http, id);

        Assert.Equal("succeeded", run.GetProperty("state").GetString());
        var attempts = SlurmRuns.Attempts(run, "each");
        Assert.Equal([0, 1, 2, 3], attempts.Select(a => a.GetProperty("item").GetInt32()).Order());
        var nodes = new string[4];
        var jobs = new HashSet<string>();
        foreach (var attempt in attempts)
        {
            var item = attempt.GetProperty("item").GetInt32();
            var node = nodes[item] = attempt.GetProperty("node").GetString()!;
            Assert.Contains(node, fixture.Cluster.Nodes);
            Assert.Equal(("succeeded", "slurm"), (attempt.GetProperty("outcome").GetString(), attempt.GetProperty("executor").GetString()));
            var locator = attempt.GetProperty("locator").GetString()!;
            Assert.Matches($"^slurm job [0-9]+ on {node}$", locator);
            jobs.Add(SlurmRuns.JobId(locator));
            using var log = await Http.GetAsync($"/api/runs/{id}/logs/each?attempt={attempt.GetProperty("number").GetInt32()}", Ct);
            Assert.Equal($"{item} {"abcd"[item]} on {node}\n", await log.Content.ReadAsStringAsync(Ct));
        }

        Assert.Equal(4, jobs.Count);
        var each = run.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("id").GetString() == "each");
        Assert.Equal(
            string.Concat("{\"items\":[", string.Join(',', Enumerable.Range(0, 4).Select(i => $"{{\"item\":\"{"abcd"[i]}\",\"node\":\"{nodes[i]}\"}}")), "]}"),
            each.GetProperty("outputs").GetRawText());
        Assert.Equal("succeeded", run.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("id").GetString() == "after").GetProperty("state").GetString());
    }

    [Fact]
    public async Task GetNodes_StepRunningOnSlurm_ListsLocalAndBothNodesWithItsAllocation()
    {
        var id = await SlurmRuns.SubmitAsync(Http, "name: held\nsteps:\n  - id: hold\n    run: sleep 60\n    resources: { cpu: 1, memory: 100MiB }\n");
        var running = await SlurmRuns.WaitRunningAsync(Http, id, "hold");
        var node = SlurmRuns.Attempts(running, "hold")[0].GetProperty("node").GetString()!;

        var listed = (await SlurmRuns.GetJsonAsync(Http, "/api/nodes")).GetProperty("nodes").EnumerateArray().ToList();

        Assert.Equal(["local", .. fixture.Cluster.Nodes], listed.Select(n => n.GetProperty("name").GetString()!));
        Assert.Equal(["local", "slurm", "slurm"], listed.Select(n => n.GetProperty("engine").GetString()!));
        var held = listed.Single(n => n.GetProperty("name").GetString() == node);
        Assert.Equal(2000, held.GetProperty("capacity").GetProperty("cpu_millis").GetInt64());
        var allocation = Assert.Single(held.GetProperty("allocations").EnumerateArray(), a => a.GetProperty("run").GetString() == id);
        Assert.Equal(("step", "hold", 1000L, 100L << 20), (allocation.GetProperty("kind").GetString(), allocation.GetProperty("step").GetString(), allocation.GetProperty("cpu_millis").GetInt64(), allocation.GetProperty("memory_bytes").GetInt64()));
        Assert.Equal(1000, held.GetProperty("free").GetProperty("cpu_millis").GetInt64());
        await CancelAsync(id);
    }

    [Fact]
    public async Task PostRuns_StepLargerThanEverySlurmNode_400NamingTheFieldAndNoJob()
    {
        using var response = await Http.PostAsJsonAsync("/api/runs", new { yaml = "name: huge\nsteps:\n  - id: small\n    run: \"true\"\n  - id: big\n    run: \"true\"\n    resources: { cpu: 3 }\n", file = "huge.yaml" }, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        var error = Assert.Single(errors);
        Assert.Contains("steps[1].resources.cpu", error, StringComparison.Ordinal);
        Assert.Contains("larger than every slurm node", error, StringComparison.Ordinal);
        var runs = await SlurmRuns.GetJsonAsync(Http, "/api/runs?limit=1000");
        Assert.DoesNotContain(runs.GetProperty("runs").EnumerateArray(), r => r.GetProperty("pipeline").GetString() == "huge");
    }

    [Fact]
    public async Task PostCancel_RunningSlurmStep_JobCancelledAndRunCancelled()
    {
        var id = await SlurmRuns.SubmitAsync(Http, "name: cancel-me\nsteps:\n  - id: wait\n    run: sleep 120\n  - id: after\n    needs: [wait]\n    run: \"true\"\n");
        var running = await SlurmRuns.WaitRunningAsync(Http, id, "wait");
        var job = SlurmRuns.JobId(SlurmRuns.Attempts(running, "wait")[0].GetProperty("locator").GetString()!);
        Assert.True(await SlurmRuns.IsQueuedAsync(fixture.Cluster, job), $"slurm job {job} is not in squeue while its step runs");

        await CancelAsync(id);
        var cancelled = await SlurmRuns.WaitEndedAsync(Http, id);

        Assert.Equal("cancelled", cancelled.GetProperty("state").GetString());
        Assert.All(cancelled.GetProperty("steps").EnumerateArray(), s => Assert.Equal("cancelled", s.GetProperty("state").GetString()));
        await SlurmRuns.PollAsync(() => SlurmRuns.IsQueuedAsync(fixture.Cluster, job), queued => !queued, $"squeue dropping job {job}", TimeSpan.FromSeconds(30));
        // Slurm records the job CANCELLED when scancel ended it, FAILED when its script died of the SIGTERM Yardmaster sent
        // first (scancel --signal=TERM): which comes first is the kernel's race. Either way it is over, and not by itself.
        Assert.Contains(await SlurmRuns.JobStateAsync(fixture.Cluster, job), new[] { "CANCELLED", "FAILED" });
    }

    [Fact]
    public async Task PostRuns_SlurmStepPastItsTimeout_TimedOutAndJobEnded()
    {
        var id = await SlurmRuns.SubmitAsync(Http, "name: slow\nsteps:\n  - id: slow\n    run: sleep 120\n    timeout: 2s\n");

        var run = await SlurmRuns.WaitEndedAsync(Http, id);

        Assert.Equal("failed", run.GetProperty("state").GetString());
        var attempt = Assert.Single(SlurmRuns.Attempts(run, "slow"));
        Assert.Equal("timed_out", attempt.GetProperty("outcome").GetString());
        var job = SlurmRuns.JobId(attempt.GetProperty("locator").GetString()!);
        await SlurmRuns.PollAsync(() => SlurmRuns.IsQueuedAsync(fixture.Cluster, job), queued => !queued, $"squeue dropping job {job}", TimeSpan.FromSeconds(30));
    }

    private async Task CancelAsync(string id)
    {
        using var cancel = await fixture.Gateway.SendEmptyAsync(HttpMethod.Post, $"/api/runs/{id}/cancel");
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
    }
}
