using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Runs;
using Yardmaster.Server.Pipelines;

namespace Yardmaster.Server.Tests.Pipelines;

/// <summary>
/// A real job host on a temp data folder: SQLite store, process executor and, when enabled, the Docker engine.
/// Submits pipeline text, waits for runs and reads what a user would see from the store.
/// </summary>
internal sealed class JobHarness : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private JobHost? _host;

    private JobHarness(TempDirectory directory, YardConfig config)
    {
        _directory = directory;
        Config = config;
    }

    public YardConfig Config { get; }

    public string DataDirectory => _directory.Path;

    public JobHost Host => _host ?? throw new InvalidOperationException("the host is closed");

    public static CancellationToken Token => TestContext.Current.CancellationToken;

    public static async Task<JobHarness> StartAsync(long cpuMillis = 4000, long memoryBytes = 4L << 30, bool docker = true, string? root = null, IReadOnlyList<GpuDevice>? gpus = null)
    {
        var config = new YardConfig
        {
            Devices = new DeviceSettings { CpuMillis = cpuMillis, CpuMemory = memoryBytes, Gpus = gpus ?? [] },
            Jobs = new JobSettings { StopGrace = TimeSpan.FromSeconds(1), DockerEnabled = docker },
        };
        var harness = new JobHarness(new TempDirectory(root), config);
        await harness.OpenAsync();
        return harness;
    }

    /// <summary>Opens a host on the data folder (after <see cref="CloseAsync"/>: a new scheduler taking over).</summary>
    public async Task OpenAsync()
    {
        var (host, error) = await JobHost.OpenAsync(Config, DataDirectory, null, ClusterEngines.None, NullLoggerFactory.Instance, TimeProvider.System, Token);
        Assert.Null(error);
        _host = host;
    }

    /// <summary>Stops the scheduler as a shutdown does: running steps keep running.</summary>
    public async Task CloseAsync()
    {
        if (_host is { } host)
        {
            _host = null;
            await host.DisposeAsync();
        }
    }

    public async Task<string> SubmitAsync(string yaml)
    {
        var (id, errors) = await Host.Scheduler.SubmitAsync(yaml, "test.yaml", Token);
        Assert.Empty(errors);
        Assert.NotNull(id);
        return id;
    }

    public async Task<RunRecord> WaitAsync(string runId, TimeSpan? timeout = null)
    {
        var record = await Host.Scheduler.WaitAsync(runId, Token).WaitAsync(timeout ?? TimeSpan.FromSeconds(60), Token);
        Assert.NotNull(record);
        return record;
    }

    public async Task<RunDetail> DetailAsync(string runId)
    {
        var detail = await Host.Store.GetRunAsync(runId, Token);
        Assert.NotNull(detail);
        return detail;
    }

    /// <summary>Polls the store until attempt <paramref name="number"/> of the step has been started by its executor.</summary>
    public async Task<AttemptRecord> WaitForStartedAsync(string runId, string stepId, int number = 1)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Token);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            var detail = await DetailAsync(runId);
            if (detail.Attempts.FirstOrDefault(a => a.StepId == stepId && a.Number == number) is { Locator: not null } attempt)
            {
                return attempt;
            }

            await Task.Delay(20, deadline.Token);
        }
    }

    public static StepRecord Step(RunDetail detail, string stepId) => Assert.Single(detail.Steps, s => s.StepId == stepId);

    public static AttemptRecord[] Attempts(RunDetail detail, string stepId) => [.. detail.Attempts.Where(a => a.StepId == stepId).OrderBy(a => a.Number)];

    /// <summary>The process group id of a process executor attempt (<c>pid 4242</c>: the wrapper leads its group).</summary>
    public static int ProcessGroup(AttemptRecord attempt)
    {
        Assert.NotNull(attempt.Locator);
        Assert.StartsWith("pid ", attempt.Locator, StringComparison.Ordinal);
        return int.Parse(attempt.Locator.AsSpan(4), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The members of group <paramref name="pgid"/> still alive after the SIGKILL the executor sends a step's group as its wrapper
    /// exits: that kill takes effect a moment after the exit is reported (a step without a memory cgroup is not waited for), so
    /// this looks again for up to 2 s before answering.
    /// </summary>
    public static async Task<List<int>> LiveMembersAfterKillAsync(int pgid)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var members = LiveMembers(pgid);
        while (members.Count > 0 && clock.Elapsed < TimeSpan.FromSeconds(2))
        {
            await Task.Delay(10);
            members = LiveMembers(pgid);
        }

        return members;
    }

    /// <summary>The live (not zombie) processes whose process group is <paramref name="pgid"/>.</summary>
    public static List<int> LiveMembers(int pgid)
    {
        var members = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue; // exited meanwhile
            }

            // pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields[0] != "Z" && fields[0] != "X" && int.Parse(fields[2], CultureInfo.InvariantCulture) == pgid)
            {
                members.Add(pid);
            }
        }

        return members;
    }

    /// <summary>Text of a file in the run's working directory.</summary>
    public static string[] WorkFileLines(RunDetail detail, string name) => File.ReadAllLines(Path.Combine(detail.Run.WorkingDirectory, name));

    public async ValueTask DisposeAsync()
    {
        await CloseAsync();
        _directory.Dispose();
    }
}
