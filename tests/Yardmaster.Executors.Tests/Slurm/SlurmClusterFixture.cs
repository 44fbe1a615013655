using System.Collections.Concurrent;
using Yardmaster.Core.Execution;
using Yardmaster.Executors.Slurm;

namespace Yardmaster.Executors.Tests.Slurm;

/// <summary>
/// The real two-node cluster (n1, n2 on loopback) that scripts/slurm-test-env.sh starts, found through the env file it
/// writes (<c>/tmp/yardmaster-slurm/env</c>, or <c>$YARD_SLURM_DIR/env</c>). Fails (never skips) when it is absent or a
/// node is down. Cancels the jobs its launches named when the tests are done.
/// </summary>
public sealed class SlurmClusterFixture : IAsyncLifetime
{
    private readonly ConcurrentBag<string> _jobNames = [];
    private readonly string _runTag = Guid.NewGuid().ToString("N")[..8];
    private SlurmTestCluster? _cluster;
    private SlurmExecutor? _executor;

    /// <summary>The env file's path.</summary>
    public static string EnvFile => SlurmTestCluster.EnvFile;

    /// <summary>The cluster's slurm.conf.</summary>
    public string Conf => Cluster.Conf;

    /// <summary>Its nodes: n1 and n2.</summary>
    public IReadOnlyList<string> Nodes => Cluster.Nodes;

    /// <summary>True when the cluster runs task/cgroup, so memory limits are enforced and OOM kills reported.</summary>
    public bool EnforcesMemory => Cluster.EnforcesMemory;

    private SlurmTestCluster Cluster => _cluster ?? throw new InvalidOperationException("the fixture is not initialized");

    /// <summary>An executor on the cluster, polling every 200 ms.</summary>
    public SlurmExecutor Executor => _executor ?? throw new InvalidOperationException("the fixture is not initialized");

    /// <summary>Options for this cluster (its conf, bin dir and partition), polling every 200 ms; <paramref name="change"/> adjusts them.</summary>
    public SlurmExecutorOptions Options(Action<SlurmExecutorOptions>? change = null)
    {
        var options = new SlurmExecutorOptions
        {
            Conf = Conf,
            BinDir = Cluster.BinDir,
            Partition = Cluster.Partition,
            Poll = TimeSpan.FromMilliseconds(200),
        };
        change?.Invoke(options);
        return options;
    }

    /// <summary>
    /// A launch of <paramref name="command"/> under <paramref name="dir"/> (working directory <c>work/</c>, attempt
    /// directory <c>attempt/</c>, log <c>step.log</c>) on <paramref name="node"/> (null: anywhere); the attempt id gets a
    /// per-test-run suffix so runs never meet each other's jobs.
    /// </summary>
    public StepLaunch Launch(TempDirectory dir, string attemptId, string command, string? node = null)
    {
        var id = $"{attemptId}.{_runTag}";
        _jobNames.Add("yard-" + id);
        Directory.CreateDirectory(dir.File("work"));
        return new StepLaunch
        {
            AttemptId = id,
            RunId = "r-" + _runTag,
            StepId = attemptId,
            Attempt = 1,
            Command = command,
            WorkingDirectory = dir.File("work"),
            AttemptDirectory = dir.File("attempt"),
            LogPath = dir.File("step.log"),
            CpuMillis = 1000,
            Node = node ?? Core.Pipelines.Engines.Local,
        };
    }

    /// <summary>Runs a Slurm command against the cluster and returns its output; fails the test when it fails.</summary>
    public async Task<string> RunAsync(string command, params string[] arguments)
    {
        var result = await new SlurmCommands(Options(), TimeProvider.System).RunAsync(command, arguments, null, TestContext.Current.CancellationToken);
        Assert.True(result.ExitCode == 0, $"{command} {string.Join(' ', arguments)} failed: {result.Error}");
        return result.Output;
    }

    /// <summary>The job's state as squeue prints it (RUNNING, PENDING, CANCELLED, ...).</summary>
    public async Task<string> StateAsync(string jobId) =>
        (await RunAsync("squeue", "--noheader", "--states=all", "--jobs=" + jobId, "--Format=State:|")).Trim().TrimEnd('|');

    public async ValueTask InitializeAsync()
    {
        _cluster = await SlurmTestCluster.OpenAsync(CancellationToken.None);
        _executor = new SlurmExecutor(Options(), TimeProvider.System);
    }

    public async ValueTask DisposeAsync()
    {
        if (_executor is not null)
        {
            await _executor.DisposeAsync();
        }

        if (_cluster is null)
        {
            return;
        }

        var commands = new SlurmCommands(Options(), TimeProvider.System);
        foreach (var name in _jobNames)
        {
            await commands.RunAsync("scancel", ["--name=" + name], null, CancellationToken.None);
        }

        await _cluster.DisposeAsync();
    }
}
