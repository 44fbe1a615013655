using System.Globalization;
using Yardmaster.Core.Execution;
using Yardmaster.Core.Pipelines;

namespace Yardmaster.Executors.Slurm;

/// <summary>What Yardmaster asks of Slurm for one attempt: the <c>sbatch</c> arguments and the job's name. Pure.</summary>
internal static class SlurmSubmission
{
    private const long MiB = 1024 * 1024;

    /// <summary>The job's name: <c>yard-RUN.STEP.ATTEMPT</c>, unique per attempt, so a restarted scheduler can find a job whose id it never wrote down.</summary>
    public static string JobName(string attemptId) => "yard-" + attemptId;

    /// <summary>
    /// <c>sbatch</c>'s arguments, the script last: <c>--parsable</c>, one task on one node (<c>--nodelist</c> when the
    /// ledger placed it on a Slurm node), <c>--cpus-per-task</c> (millicores rounded up to cores), <c>--mem</c> (MiB,
    /// rounded up; omitted for none, since Slurm reads 0 as all of the node), <c>--gres=gpu:N</c>, <c>--time</c> (the
    /// step's timeout plus the margin, in whole minutes rounded up), output appended to the step's log, the working
    /// directory, the environment exported, <c>--no-requeue</c> (Yardmaster retries; Slurm must not run an attempt twice),
    /// <c>--nice</c> from the class (<see cref="Nice"/>), then partition, account, qos and the extra arguments.
    /// </summary>
    public static IReadOnlyList<string> Arguments(SlurmExecutorOptions options, StepLaunch launch, string scriptPath)
    {
        var args = new List<string>
        {
            "--parsable",
            "--job-name=" + JobName(launch.AttemptId),
            "--nodes=1",
            "--ntasks=1",
            "--output=" + launch.LogPath,
            "--open-mode=append",
            "--chdir=" + launch.WorkingDirectory,
            "--export=ALL",
            "--no-requeue",
            "--nice=" + Invariant(Nice(launch.Priority)),
        };
        if (launch.Node is { Length: > 0 } node && node != Engines.Local)
        {
            args.Add("--nodelist=" + node);
        }

        if (launch.CpuMillis > 0)
        {
            args.Add("--cpus-per-task=" + Invariant((launch.CpuMillis + 999) / 1000));
        }

        if (launch.MemoryBytes > 0)
        {
            args.Add("--mem=" + Invariant((launch.MemoryBytes + MiB - 1) / MiB) + "M");
        }

        if (launch.Gpus.Count > 0)
        {
            args.Add("--gres=gpu:" + Invariant(launch.Gpus.Count));
        }

        if (launch.TimeLimit is { } limit)
        {
            args.Add("--time=" + Invariant(Minutes(limit + options.TimeLimitMargin)));
        }

        AddIfSet(args, "--partition=", options.Partition);
        AddIfSet(args, "--account=", options.Account);
        AddIfSet(args, "--qos=", options.Qos);
        args.AddRange(options.ExtraArgs);
        args.Add(scriptPath);
        return args;
    }

    /// <summary>
    /// The class as a Slurm nice value: 0 for critical, 10,000 more for each class below, so that among the jobs Slurm
    /// queues for Yardmaster a higher class starts first (a positive nice needs no privilege; the site's own priority
    /// factors still apply between its users).
    /// </summary>
    public static int Nice(Core.PriorityClass priority) => (int)priority * 10_000;

    /// <summary>Whole minutes, rounded up, at least one: Slurm keeps time limits in minutes.</summary>
    public static long Minutes(TimeSpan limit) => Math.Max(1, (long)Math.Ceiling(limit.TotalMinutes));

    private static void AddIfSet(List<string> args, string option, string? value)
    {
        if (value is not null)
        {
            args.Add(option + value);
        }
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
