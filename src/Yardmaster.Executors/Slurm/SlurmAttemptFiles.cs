using System.Globalization;
using System.Text;
using Yardmaster.Core.Execution;

namespace Yardmaster.Executors.Slurm;

/// <summary>
/// The files of one attempt in its attempt directory: <c>slurm-batch.sh</c> (the batch script, written before
/// <c>sbatch</c>: its presence means the attempt may have been submitted) and <c>slurm-job</c> (the job id, written
/// as soon as <c>sbatch</c> answers, before the start returns).
/// </summary>
internal static class SlurmAttemptFiles
{
    /// <summary>The batch script's path.</summary>
    public static string ScriptPath(StepLaunch launch) => Path.Combine(launch.AttemptDirectory, "slurm-batch.sh");

    /// <summary>
    /// Writes the batch script: <c>/bin/sh</c> running the step's command as written. Its first line after the
    /// interpreter is a command, so <c>#SBATCH</c> lines in the step's command are never read as options.
    /// </summary>
    public static async Task<string> WriteScriptAsync(StepLaunch launch, string command, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(launch.AttemptDirectory);
        var text = new StringBuilder()
            .Append("#!/bin/sh\n")
            .Append(CultureInfo.InvariantCulture, $": yardmaster attempt {launch.AttemptId}\n")
            .Append(command)
            .Append('\n')
            .ToString();
        var path = ScriptPath(launch);
        await File.WriteAllTextAsync(path, text, cancellationToken);
        return path;
    }

    /// <summary>Writes the job id (through a temporary file and a rename, so a reader never sees half of it).</summary>
    public static async Task WriteJobIdAsync(string attemptDirectory, string jobId, CancellationToken cancellationToken)
    {
        var path = Path.Combine(attemptDirectory, "slurm-job");
        await File.WriteAllTextAsync(path + ".tmp", jobId + "\n", cancellationToken);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>The recorded job id; null when none was written.</summary>
    public static async Task<string?> ReadJobIdAsync(string attemptDirectory, CancellationToken cancellationToken)
    {
        var path = Path.Combine(attemptDirectory, "slurm-job");
        if (!File.Exists(path))
        {
            return null;
        }

        var id = (await File.ReadAllTextAsync(path, cancellationToken)).Trim();
        return id.Length > 0 && id.All(char.IsAsciiDigit) ? id : null;
    }
}
