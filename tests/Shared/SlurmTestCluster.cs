// Shared by every test project (linked into each).
using System.Diagnostics;

namespace Yardmaster.Tests;

/// <summary>
/// The real two-node Slurm cluster (n1, n2 on loopback) that scripts/slurm-test-env.sh starts, found through the env
/// file it writes (<c>/tmp/yardmaster-slurm/env</c>, or <c>$YARD_SLURM_DIR/env</c>). <see cref="OpenAsync"/> fails
/// (never skips) when it is absent or a node is down.
/// </summary>
public sealed class SlurmTestCluster : IAsyncDisposable
{
    /// <summary>What to do when the cluster is missing.</summary>
    public const string Prepare = "run ./test at the repository root (it starts the cluster through scripts/slurm-test-env.sh), or scripts/slurm-test-env.sh alone";

    private readonly Dictionary<string, string> _env;

    private SlurmTestCluster(Dictionary<string, string> env) => _env = env;

    /// <summary>The env file's path.</summary>
    public static string EnvFile => Path.Combine(Environment.GetEnvironmentVariable("YARD_SLURM_DIR") ?? "/tmp/yardmaster-slurm", "env");

    /// <summary>The cluster's slurm.conf.</summary>
    public string Conf => _env["SLURM_CONF"];

    /// <summary>Where sbatch, squeue, scancel are.</summary>
    public string BinDir => _env["YARD_SLURM_BIN_DIR"];

    /// <summary>The partition jobs go to.</summary>
    public string Partition => _env["YARD_SLURM_PARTITION"];

    /// <summary>Its nodes: n1 and n2.</summary>
    public IReadOnlyList<string> Nodes => _env["YARD_SLURM_NODES"].Split(',');

    /// <summary>True when the cluster runs task/cgroup, so memory limits are enforced and OOM kills reported.</summary>
    public bool EnforcesMemory => _env.GetValueOrDefault("YARD_SLURM_OOM") == "cgroup";

    /// <summary>How long a test waits for another (in this process or another test project) to give the cluster back.</summary>
    private static readonly TimeSpan _lockPatience = TimeSpan.FromMinutes(20);

    private FileStream? _lock;

    /// <summary>
    /// Reads the env file, takes the cluster for this test (an exclusive lock on a file beside the env file, held until
    /// disposal: the two nodes have four CPUs, and tests that fill whole nodes or time their steps would otherwise wait
    /// in Slurm's queue behind another test project's jobs), and checks with <c>sinfo</c> that every node is up.
    /// </summary>
    /// <exception cref="InvalidOperationException">The cluster is not prepared or a node is not up (the message says what to run).</exception>
    public static async Task<SlurmTestCluster> OpenAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(EnvFile))
        {
            throw new InvalidOperationException($"the Slurm test cluster is not prepared: {EnvFile} is missing; {Prepare}");
        }

        var cluster = new SlurmTestCluster((await File.ReadAllLinesAsync(EnvFile, cancellationToken))
            .Select(line => line.Split('=', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => parts[1], StringComparer.Ordinal));
        cluster._lock = await TakeAsync(Path.Combine(Path.GetDirectoryName(EnvFile)!, "tests.lock"), cancellationToken);
        var (code, output, error) = await cluster.RunAsync("sinfo", ["--noheader", "--Node", "--format=%N %t"], cancellationToken);
        foreach (var node in cluster.Nodes)
        {
            if (code != 0 || !output.Split('\n').Any(line => line.StartsWith(node + " ", StringComparison.Ordinal) && !line.Contains("down", StringComparison.Ordinal) && !line.Contains("drain", StringComparison.Ordinal)))
            {
                throw new InvalidOperationException($"the Slurm test cluster does not have node {node} up (sinfo: {output.Trim()} {error.Trim()}); {Prepare}");
            }
        }

        return cluster;
    }

    /// <summary>Gives the cluster back to the next test.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _lock, null) is { } held)
        {
            await held.DisposeAsync();
        }
    }

    private static async Task<FileStream> TakeAsync(string path, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + _lockPatience;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
            }
        }
    }

    /// <summary>Runs a Slurm command (<c>squeue</c>, <c>scancel</c>, ...) of the cluster with its <c>SLURM_CONF</c>; its exit code and output.</summary>
    public async Task<(int ExitCode, string Output, string Error)> RunAsync(string command, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(Path.Combine(BinDir, command)) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["SLURM_CONF"] = Conf;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await output, await error);
    }
}
