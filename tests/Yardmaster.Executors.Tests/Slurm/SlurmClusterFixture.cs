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
    private const string Prepare = "run ./test at the repository root (it starts the cluster through scripts/slurm-test-env.sh), or scripts/slurm-test-env.sh alone";

    private readonly ConcurrentBag<string> _jobNames = [];
    private readonly string _runTag = Guid.NewGuid().ToString("N")[..8];
    private Dictionary<string, string> _env = [];
    private SlurmExecutor? _executor;

    /// <summary>The env file's path.</summary>
    public static string EnvFile => Path.Combine(Environment.GetEnvironmentVariable("YARD_SLURM_DIR") ?? "/tmp/yardmaster-slurm", "env");

    /// <summary>The cluster's slurm.conf.</summary>
    public string Conf => _env["SLURM_CONF"];

    /// <summary>Its nodes: n1 and n2.</summary>
    public IReadOnlyList<string> Nodes => _env["YARD_SLURM_NODES"].Split(',');

    /// <summary>True when the cluster runs task/cgroup, so memory limits are enforced and OOM kills reported.</summary>
    public bool EnforcesMemory => _env.GetValueOrDefault("YARD_SLURM_OOM") == "cgroup";

    /// <summary>An executor on the cluster, polling every 200 ms.</summary>
    public SlurmExecutor Executor => _executor ?? throw new InvalidOperationException("the fixture is not initialized");

    /// <summary>Options for this cluster (its conf, bin dir and partition), polling every 200 ms; <paramref name="change"/> adjusts them.</summary>
    public SlurmExecutorOptions Options(Action<SlurmExecutorOptions>? change = null)
    {
        var options = new SlurmExecutorOptions
        {
            Conf = Conf,
            BinDir = _env["YARD_SLURM_BIN_DIR"],
            Partition = _env["YARD_SLURM_PARTITION"],
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
        if (!File.Exists(EnvFile))
        {
            throw new InvalidOperationException($"the Slurm test cluster is not prepared: {EnvFile} is missing; {Prepare}");
        }

        _env = (await File.ReadAllLinesAsync(EnvFile))
            .Select(line => line.Split('=', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => parts[1], StringComparer.Ordinal);
        var result = await new SlurmCommands(Options(), TimeProvider.System).RunAsync("sinfo", ["--noheader", "--Node", "--format=%N %t"], null, CancellationToken.None);
        foreach (var node in Nodes)
        {
            if (result.ExitCode != 0 || !result.Output.Split('\n').Any(line => line.StartsWith(node + " ", StringComparison.Ordinal) && !line.Contains("down", StringComparison.Ordinal) && !line.Contains("drain", StringComparison.Ordinal)))
            {
                throw new InvalidOperationException($"the Slurm test cluster does not have node {node} up (sinfo: {result.Output.Trim()} {result.Error.Trim()}); {Prepare}");
            }
        }

        _executor = new SlurmExecutor(Options(), TimeProvider.System);
    }

    public async ValueTask DisposeAsync()
    {
        if (_executor is not null)
        {
            await _executor.DisposeAsync();
        }

        if (_env.Count == 0)
        {
            return;
        }

        var commands = new SlurmCommands(Options(), TimeProvider.System);
        foreach (var name in _jobNames)
        {
            await commands.RunAsync("scancel", ["--name=" + name], null, CancellationToken.None);
        }
    }
}
