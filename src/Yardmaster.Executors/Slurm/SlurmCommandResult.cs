namespace Yardmaster.Executors.Slurm;

/// <summary>What one Slurm command printed and its exit status.</summary>
internal sealed record SlurmCommandResult(int ExitCode, string Output, string Error)
{
    /// <summary>Its error output in one line, for messages: "sbatch: error: ..." joined with "; ".</summary>
    public string ErrorLine => string.Join("; ", Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
