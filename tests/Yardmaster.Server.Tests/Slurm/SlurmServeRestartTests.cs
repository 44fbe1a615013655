using Yardmaster.Server.Tests.Cli;

namespace Yardmaster.Server.Tests.Slurm;

/// <summary>A real <c>yard serve</c> child process running a pipeline on the Slurm cluster, killed with SIGKILL mid-run and started again on the same data folder.</summary>
public sealed class SlurmServeRestartTests : IAsyncLifetime
{
    private const string AdminKey = "slurm-restart-admin-key";

    private readonly TempDirectory _home = new();
    private SlurmTestCluster? _cluster;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _cluster = await SlurmTestCluster.OpenAsync(CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        _home.Dispose();
    }

    [Fact]
    public async Task Serve_KilledMidRunThenRestarted_ReattachesAndRunsEveryStepOnce()
    {
        var config = _home.File("yard.yaml");
        await File.WriteAllTextAsync(config, $$"""
            auth: { admin_keys: [{{AdminKey}}] }
            """ + "\n" + SlurmRuns.JobsYaml(_cluster!), Ct);
        // a and b run at once (one per node), c after both; each appends one line to its own file.
        const string Pipeline = """
            name: once
            steps:
              - id: a
                run: echo "$SLURMD_NODENAME" >> a.lines; sleep 6
                resources: { cpu: 2 }
              - id: b
                run: echo "$SLURMD_NODENAME" >> b.lines; sleep 6
                resources: { cpu: 2 }
              - id: c
                needs: [a, b]
                run: echo "$SLURMD_NODENAME" >> c.lines
            """;

        string id;
        string lockedJob;
        await using (var first = Start(config))
        {
            using var http = Client(await first.WaitForLineAsync("listening on ", TimeSpan.FromSeconds(60)));
            id = await SlurmRuns.SubmitAsync(http, Pipeline);
            var running = await SlurmRuns.WaitRunningAsync(http, id, "a");
            await SlurmRuns.WaitRunningAsync(http, id, "b");
            lockedJob = SlurmRuns.JobId(SlurmRuns.Attempts(running, "a")[0].GetProperty("locator").GetString()!);
        }

        // disposing killed the server with SIGKILL; its jobs live on under slurmd
        Assert.True(await SlurmRuns.IsQueuedAsync(_cluster!, lockedJob), $"slurm job {lockedJob} ended with the server");
        await using var second = Start(config);
        using var again = Client(await second.WaitForLineAsync("listening on ", TimeSpan.FromSeconds(60)));
        var run = await SlurmRuns.WaitEndedAsync(again, id);

        Assert.Equal("succeeded", run.GetProperty("state").GetString());
        var work = run.GetProperty("working_directory").GetString()!;
        foreach (var step in new[] { "a", "b", "c" })
        {
            var attempt = Assert.Single(SlurmRuns.Attempts(run, step));
            Assert.Equal("succeeded", attempt.GetProperty("outcome").GetString());
            var lines = await File.ReadAllLinesAsync(Path.Combine(work, step + ".lines"), Ct);
            Assert.Equal([attempt.GetProperty("node").GetString()!], lines);
        }

        Assert.Equal(lockedJob, SlurmRuns.JobId(SlurmRuns.Attempts(run, "a")[0].GetProperty("locator").GetString()!));
    }

    private YardProcess Start(string config) =>
        YardProcess.Start(["serve", "--config", config, "--port", "0", "--data", _home.File("data")], YardServeFixture.Environment(_home.Path));

    private static HttpClient Client(string url) => SlurmRuns.AdminClient(url, AdminKey);
}
