using Yardmaster.Core.Configuration;

namespace Yardmaster.Executors.Slurm;

/// <summary>Settings of the <c>slurm</c> executor (<c>jobs.slurm:</c>). Validated when the executor is built.</summary>
public sealed class SlurmExecutorOptions
{
    /// <summary><c>sbatch --partition</c>; null (default) for the cluster's default partition.</summary>
    public string? Partition { get; set; }

    /// <summary><c>sbatch --account</c>; null (default) for none.</summary>
    public string? Account { get; set; }

    /// <summary><c>sbatch --qos</c>; null (default) for none.</summary>
    public string? Qos { get; set; }

    /// <summary>Further <c>sbatch</c> arguments, each one argument (never through a shell), placed before the script. Default none.</summary>
    public IReadOnlyList<string> ExtraArgs { get; set; } = [];

    /// <summary>The folder of <c>sbatch</c>, <c>squeue</c>, <c>sacct</c>, <c>scancel</c> and <c>scontrol</c>; null (default) for <c>PATH</c>.</summary>
    public string? BinDir { get; set; }

    /// <summary>The cluster's <c>slurm.conf</c>, given to every command as <c>SLURM_CONF</c>; null (default) for the commands' own default.</summary>
    public string? Conf { get; set; }

    /// <summary>How often one <c>squeue</c> asks about every running job. Default 1 s.</summary>
    public TimeSpan Poll { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Added to a step's timeout for <c>sbatch --time</c>, so that Slurm ends a job only when Yardmaster's own timeout
    /// (with its stop grace) did not. Slurm counts whole minutes: the sum is rounded up, at least one. Default 2 min.
    /// </summary>
    public TimeSpan TimeLimitMargin { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long one Slurm command may take before it counts as failed (an unreachable controller makes <c>sbatch</c> retry for about 10 s). Default 60 s.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Polls in a row a job may be missing from both <c>squeue</c> and <c>sacct</c> before it is reported lost. Default 3.</summary>
    public int MissingPolls { get; set; } = 3;

    /// <summary>The options of a <c>jobs.slurm:</c> section.</summary>
    public static SlurmExecutorOptions From(SlurmSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new SlurmExecutorOptions
        {
            Partition = settings.Partition,
            Account = settings.Account,
            Qos = settings.Qos,
            ExtraArgs = settings.ExtraArgs,
            BinDir = settings.BinDir,
            Conf = settings.Conf,
            Poll = settings.Poll,
        };
    }

    /// <summary>Every problem with these settings; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Poll <= TimeSpan.Zero)
        {
            errors.Add("slurm: Poll must be positive");
        }

        if (TimeLimitMargin < TimeSpan.Zero)
        {
            errors.Add("slurm: TimeLimitMargin is negative");
        }

        if (CommandTimeout <= TimeSpan.Zero)
        {
            errors.Add("slurm: CommandTimeout must be positive");
        }

        if (MissingPolls < 1)
        {
            errors.Add("slurm: MissingPolls must be at least 1");
        }

        if (ExtraArgs.Any(a => a is null || a.Contains('\0', StringComparison.Ordinal)))
        {
            errors.Add("slurm: ExtraArgs holds a null or an argument with a NUL");
        }

        foreach (var (name, value) in new[] { ("Partition", Partition), ("Account", Account), ("Qos", Qos) })
        {
            if (value is not null && (value.Length == 0 || value.Any(char.IsControl) || value.Contains(' ', StringComparison.Ordinal)))
            {
                errors.Add($"slurm: {name} '{value}' is empty or holds spaces or control characters");
            }
        }

        return errors;
    }
}
