using System.Net;
using System.Text.Json;

namespace Yardmaster.Server.Tests.Slurm;

/// <summary>
/// <c>jobs.slurm.placement: slurm</c> (the default) on the real two-node cluster: ready steps are handed to Slurm at once,
/// Slurm queues them (by class) and picks their nodes, and Yardmaster learns the node when a job starts.
/// </summary>
public sealed class SlurmPlacementTests(SlurmGatewayFixture fixture) : IClassFixture<SlurmGatewayFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HttpClient Http => fixture.Gateway.Http;

    [Fact]
    public async Task PostRuns_MoreWholeNodeStepsThanNodes_AllHandedToSlurmAtOnceEachNamingTheNodeItRanOn()
    {
        var steps = string.Concat(Enumerable.Range(1, 4).Select(i => $"  - id: s{i}\n    run: echo \"on $SLURMD_NODENAME\"; sleep 2\n    resources: {{ cpu: 2 }}\n"));
        var id = await SlurmRuns.SubmitAsync(Http, "name: flood\nsteps:\n" + steps);

        // Two nodes hold two of them; the other two wait in Slurm's queue, not in Yardmaster's.
        var jobs = await SlurmRuns.PollAsync(
            () => SlurmRuns.JobsOfRunAsync(fixture.Cluster, id),
            j => j.Count == 4 && j.Any(x => x.State == "PENDING"),
            $"the four steps of run {id} in squeue, some pending",
            TimeSpan.FromSeconds(30));
        var run = await SlurmRuns.WaitEndedAsync(Http, id);

        Assert.Equal(4, jobs.Select(j => j.Name).Distinct().Count());
        Assert.Equal("succeeded", run.GetProperty("state").GetString());
        foreach (var step in new[] { "s1", "s2", "s3", "s4" })
        {
            var attempt = Assert.Single(SlurmRuns.Attempts(run, step));
            var node = attempt.GetProperty("node").GetString()!;
            Assert.Contains(node, fixture.Cluster.Nodes);
            Assert.Matches($"^slurm job [0-9]+ on {node}$", attempt.GetProperty("locator").GetString());
            using var log = await Http.GetAsync($"/api/runs/{id}/logs/{step}", Ct);
            Assert.Equal($"on {node}\n", await log.Content.ReadAsStringAsync(Ct));
        }

        var transitions = run.GetProperty("transitions").EnumerateArray().Select(t => t.GetProperty("reason").GetString() ?? string.Empty).ToList();
        Assert.Equal(4, transitions.Count(r => r.StartsWith("handed to slurm, which picks the node", StringComparison.Ordinal)));
        Assert.Equal(4, transitions.Count(r => r.StartsWith("started by slurm on n", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task PostRuns_StepQueuedInSlurmLongerThanItsTimeout_TimeoutCountsFromItsStartAndItSucceeds()
    {
        var holders = await HoldBothNodesAsync("holders", "sleep 6", "sleep 6");

        var id = await SlurmRuns.SubmitAsync(Http, "name: late\nsteps:\n  - id: quick\n    run: sleep 1\n    timeout: 3s\n    resources: { cpu: 2 }\n");
        var run = await SlurmRuns.WaitEndedAsync(Http, id);

        Assert.Equal("succeeded", run.GetProperty("state").GetString());
        var attempt = Assert.Single(SlurmRuns.Attempts(run, "quick"));
        Assert.Equal("succeeded", attempt.GetProperty("outcome").GetString());
        // It did wait: the holders had both nodes for longer than its timeout.
        var waited = run.GetProperty("transitions").EnumerateArray().First(t => (t.GetProperty("reason").GetString() ?? string.Empty).StartsWith("started by slurm", StringComparison.Ordinal));
        var handed = run.GetProperty("transitions").EnumerateArray().First(t => (t.GetProperty("reason").GetString() ?? string.Empty).StartsWith("handed to slurm", StringComparison.Ordinal));
        Assert.True(waited.GetProperty("at").GetDateTimeOffset() - handed.GetProperty("at").GetDateTimeOffset() > TimeSpan.FromSeconds(3), "the step did not wait in Slurm's queue longer than its timeout");
        Assert.Equal("succeeded", (await SlurmRuns.WaitEndedAsync(Http, holders)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task PostRuns_CriticalStepQueuedAfterABatchOne_SlurmStartsTheCriticalOneFirst()
    {
        var holders = await HoldBothNodesAsync("hold-two", "sleep 4", "sleep 120");
        var batch = await SlurmRuns.SubmitAsync(Http, "name: nightly\npriority: batch\nsteps:\n  - id: work\n    run: sleep 120\n    resources: { cpu: 2 }\n");
        await SlurmRuns.PollAsync(() => SlurmRuns.JobsOfRunAsync(fixture.Cluster, batch), j => j.Count == 1, $"run {batch}'s job in squeue", TimeSpan.FromSeconds(30));
        var critical = await SlurmRuns.SubmitAsync(Http, "name: urgent\npriority: critical\nsteps:\n  - id: work\n    run: sleep 120\n    resources: { cpu: 2 }\n");

        // One node frees when the 4 s step ends: the critical job, queued last, takes it.
        var started = await SlurmRuns.WaitRunningAsync(Http, critical, "work");
        var batchJobs = await SlurmRuns.JobsOfRunAsync(fixture.Cluster, batch);

        Assert.Equal("PENDING", Assert.Single(batchJobs).State);
        Assert.Contains(SlurmRuns.Attempts(started, "work")[0].GetProperty("node").GetString(), fixture.Cluster.Nodes);
        await CancelEachAsync(batch, critical, holders);
    }

    [Fact]
    public async Task PostRuns_SlurmPreemptsAStepForAnUrgentJob_RequeuedWithoutARetryAndTheRunSucceeds()
    {
        // retries: 0, so a preemption counted as a failure would fail the run.
        var id = await HoldBothNodesAsync("preemptible", "echo \"$SLURM_JOB_ID\" >> a.jobs; sleep 8", "echo \"$SLURM_JOB_ID\" >> b.jobs; sleep 8");

        // Another user's job in the higher-tier partition: Slurm cancels one of ours to make room (PREEMPTED).
        var (code, output, error) = await fixture.Cluster.RunAsync("sbatch", ["--parsable", "--partition=urgent", "--cpus-per-task=2", "--mem=64M", "--output=/dev/null", "--wrap=sleep 2"], Ct);
        Assert.True(code == 0, error);
        var run = await SlurmRuns.WaitEndedAsync(Http, id, seconds: 120);

        Assert.True(run.GetProperty("state").GetString() == "succeeded", run.GetRawText());
        var attempts = run.GetProperty("attempts").EnumerateArray().ToList();
        var preempted = Assert.Single(attempts, a => a.GetProperty("outcome").GetString() == "preempted");
        Assert.StartsWith("preempted by the engine for other work (slurm job ", preempted.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var step = preempted.GetProperty("step").GetString()!;
        Assert.Equal(["preempted", "succeeded"], SlurmRuns.Attempts(run, step).Select(a => a.GetProperty("outcome").GetString()));
        var record = run.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("id").GetString() == step);
        Assert.Equal(0, record.GetProperty("retries_used").GetInt32());
        Assert.Contains(run.GetProperty("transitions").EnumerateArray(), t => (t.GetProperty("reason").GetString() ?? string.Empty).StartsWith("requeued: preempted by the engine", StringComparison.Ordinal));
        var jobs = await File.ReadAllLinesAsync(Path.Combine(run.GetProperty("working_directory").GetString()!, step + ".jobs"), Ct);
        Assert.Equal(2, jobs.Distinct().Count());
        Assert.Equal("COMPLETED", await SlurmRuns.JobStateAsync(fixture.Cluster, output.Trim()));
    }

    [Fact]
    public async Task GetRun_StepWaitingInSlurmsQueue_AttemptHasNoNodeYetAndNodesHoldNothingForIt()
    {
        var holders = await HoldBothNodesAsync("fill", "sleep 120", "sleep 120");
        var id = await SlurmRuns.SubmitAsync(Http, "name: queued\nsteps:\n  - id: wait\n    run: \"true\"\n    resources: { cpu: 2 }\n");

        var queued = await SlurmRuns.PollAsync(
            () => SlurmRuns.GetJsonAsync(Http, $"/api/runs/{id}"),
            r => SlurmRuns.Attempts(r, "wait").Count == 1 && (SlurmRuns.Attempts(r, "wait")[0].GetProperty("locator").GetString() ?? string.Empty).StartsWith("slurm job ", StringComparison.Ordinal),
            $"run {id}'s attempt submitted",
            TimeSpan.FromSeconds(30));
        var nodes = (await SlurmRuns.GetJsonAsync(Http, "/api/nodes")).GetProperty("nodes").EnumerateArray().ToList();

        var attempt = SlurmRuns.Attempts(queued, "wait")[0];
        Assert.Equal(JsonValueKind.Null, attempt.GetProperty("node").ValueKind);
        Assert.Matches("^slurm job [0-9]+$", attempt.GetProperty("locator").GetString());
        Assert.DoesNotContain(nodes.SelectMany(n => n.GetProperty("allocations").EnumerateArray()), a => a.GetProperty("run").GetString() == id);
        Assert.Equal(2, nodes.SelectMany(n => n.GetProperty("allocations").EnumerateArray()).Count(a => a.GetProperty("run").GetString() == holders));
        await CancelEachAsync(id, holders); // the queued one first: it would start and end once the holders are gone
    }

    /// <summary>A run of two whole-node steps, <c>a</c> and <c>b</c>, running <paramref name="a"/> and <paramref name="b"/>; returned once both run on their nodes.</summary>
    private async Task<string> HoldBothNodesAsync(string name, string a, string b)
    {
        var id = await SlurmRuns.SubmitAsync(Http, $"name: {name}\nsteps:\n  - id: a\n    run: {a}\n    resources: {{ cpu: 2 }}\n  - id: b\n    run: {b}\n    resources: {{ cpu: 2 }}\n");
        await SlurmRuns.WaitRunningAsync(Http, id, "a");
        await SlurmRuns.WaitRunningAsync(Http, id, "b");
        return id;
    }

    /// <summary>Cancels the runs one after the other, in order, each accepted and ended cancelled before the next.</summary>
    private async Task CancelEachAsync(params string[] ids)
    {
        foreach (var id in ids)
        {
            using var cancel = await fixture.Gateway.SendEmptyAsync(HttpMethod.Post, $"/api/runs/{id}/cancel");
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
            Assert.Equal("cancelled", (await SlurmRuns.WaitEndedAsync(Http, id)).GetProperty("state").GetString());
        }
    }
}
