using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Execution;
using Yardmaster.Executors.Slurm;

namespace Yardmaster.Executors.Tests.Slurm;

/// <summary>What Yardmaster asks of sbatch for an attempt, and the options from <c>jobs.slurm:</c>.</summary>
public sealed class SlurmSubmissionTests
{
    private static readonly StepLaunch Launch = new()
    {
        AttemptId = "r7.train.2",
        RunId = "r7",
        StepId = "train",
        Attempt = 2,
        Command = "python train.py",
        WorkingDirectory = "/shared/runs/r7/work",
        AttemptDirectory = "/shared/runs/r7/attempts/train.2",
        LogPath = "/shared/runs/r7/logs/train.2.log",
    };

    [Fact]
    public void Arguments_FullRequest_AsksForEachResourceThenTheSiteOptionsThenTheScript()
    {
        var options = new SlurmExecutorOptions { Partition = "gpu", Account = "ml", Qos = "batch", ExtraArgs = ["--constraint=a100", "--exclusive"] };
        var launch = Launch with { Node = "gpu01", CpuMillis = 2500, MemoryBytes = (3L * 1024 * 1024 * 1024) + 1, Gpus = [0, 1], TimeLimit = TimeSpan.FromMinutes(30) };

        var args = SlurmSubmission.Arguments(options, launch, "/shared/runs/r7/attempts/train.2/slurm-batch.sh");

        Assert.Equal(
            [
                "--parsable", "--job-name=yard-r7.train.2", "--nodes=1", "--ntasks=1", "--output=/shared/runs/r7/logs/train.2.log",
                "--open-mode=append", "--chdir=/shared/runs/r7/work", "--export=ALL", "--no-requeue", "--nice=20000", "--nodelist=gpu01",
                "--cpus-per-task=3", "--mem=3073M", "--gres=gpu:2", "--time=32", "--partition=gpu", "--account=ml", "--qos=batch",
                "--constraint=a100", "--exclusive", "/shared/runs/r7/attempts/train.2/slurm-batch.sh",
            ],
            args);
    }

    [Theory]
    [InlineData(PriorityClass.Critical, "--nice=0")]
    [InlineData(PriorityClass.High, "--nice=10000")]
    [InlineData(PriorityClass.Batch, "--nice=40000")]
    public void Arguments_Class_NiceOrdersTheClassesInSlurmsQueue(PriorityClass priority, string nice)
    {
        var args = SlurmSubmission.Arguments(new SlurmExecutorOptions(), Launch with { Priority = priority }, "s.sh");

        Assert.Single(args, a => a.StartsWith("--nice=", StringComparison.Ordinal));
        Assert.Contains(nice, args);
    }

    [Fact]
    public void Arguments_NoResourcesNoNodeNoLimit_LeavesThemToSlurm()
    {
        var args = SlurmSubmission.Arguments(new SlurmExecutorOptions(), Launch, "s.sh");

        Assert.DoesNotContain(args, a => a.StartsWith("--mem", StringComparison.Ordinal) || a.StartsWith("--cpus", StringComparison.Ordinal)
            || a.StartsWith("--gres", StringComparison.Ordinal) || a.StartsWith("--time", StringComparison.Ordinal)
            || a.StartsWith("--nodelist", StringComparison.Ordinal) || a.StartsWith("--partition", StringComparison.Ordinal));
        Assert.Equal("s.sh", args[^1]);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(59, 1)]
    [InlineData(60, 1)]
    [InlineData(61, 2)]
    [InlineData(3600, 60)]
    public void Minutes_Limit_IsRoundedUpToWholeMinutesAtLeastOne(int seconds, long minutes) =>
        Assert.Equal(minutes, SlurmSubmission.Minutes(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void From_SlurmSettings_CarriesEverySetting()
    {
        var settings = new SlurmSettings { Partition = "p", Account = "a", Qos = "q", ExtraArgs = ["--x"], BinDir = "/opt/slurm/bin", Conf = "/etc/slurm/slurm.conf", Poll = TimeSpan.FromSeconds(3) };

        var options = SlurmExecutorOptions.From(settings);

        Assert.Equal(("p", "a", "q", "/opt/slurm/bin", "/etc/slurm/slurm.conf", TimeSpan.FromSeconds(3)), (options.Partition, options.Account, options.Qos, options.BinDir, options.Conf, options.Poll));
        Assert.Equal(["--x"], options.ExtraArgs);
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void Validate_BadOptions_ListsEveryProblem()
    {
        var options = new SlurmExecutorOptions { Poll = TimeSpan.Zero, TimeLimitMargin = TimeSpan.FromSeconds(-1), Partition = "two words", MissingPolls = 0 };

        var errors = options.Validate();

        Assert.Equal(4, errors.Count);
        Assert.Throws<ArgumentException>(() => new SlurmExecutor(options, TimeProvider.System));
    }
}
