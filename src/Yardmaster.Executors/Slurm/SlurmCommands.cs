using System.ComponentModel;
using System.Diagnostics;

namespace Yardmaster.Executors.Slurm;

/// <summary>
/// Runs the Slurm client commands (<c>sbatch</c>, <c>squeue</c>, <c>sacct</c>, <c>scancel</c>, <c>scontrol</c>) as child
/// processes with argument lists, never through a shell, with <c>SLURM_CONF</c> set when configured and the
/// <c>SLURM_*</c> and <c>SBATCH_*</c> variables of this process removed (a server started inside a Slurm job must not
/// pass its own job's settings on). Thread-safe.
/// </summary>
internal sealed class SlurmCommands(SlurmExecutorOptions options, TimeProvider time)
{
    /// <summary>Where the commands are looked for, for messages.</summary>
    public string Where => options.BinDir is { } dir ? $"in {dir} (bin_dir)" : "on the PATH";

    /// <summary>
    /// Runs <paramref name="command"/> and returns what it printed, whatever its exit status. Throws
    /// <see cref="SlurmCommandException"/> when it cannot be started or takes longer than the command timeout.
    /// </summary>
    public async Task<SlurmCommandResult> RunAsync(string command, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(options.BinDir is { } dir ? Path.Combine(dir, command) : command)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("SLURM_", StringComparison.Ordinal) || k.StartsWith("SBATCH_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        if (options.Conf is { } conf)
        {
            info.Environment["SLURM_CONF"] = conf;
        }

        using var process = new System.Diagnostics.Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new SlurmCommandException($"{command} could not be started {Where} ({e.Message}); install the Slurm client commands (Debian: slurm-client) or set jobs.slurm.bin_dir", e);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(options.CommandTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var output = process.StandardOutput.ReadToEndAsync(linked.Token);
        var error = process.StandardError.ReadToEndAsync(linked.Token);
        try
        {
            await process.WaitForExitAsync(linked.Token);
            return new SlurmCommandResult(process.ExitCode, await output, await error);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited meanwhile.
            }

            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new SlurmCommandException($"{command} did not answer within {options.CommandTimeout.TotalSeconds:0} s (is slurmctld reachable?)");
        }
    }

    /// <summary>Runs <paramref name="command"/> and returns its output; a non-zero exit throws <see cref="SlurmCommandException"/> with its error output.</summary>
    public async Task<string> OutputAsync(string command, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var result = await RunAsync(command, arguments, null, cancellationToken);
        return result.ExitCode == 0
            ? result.Output
            : throw new SlurmCommandException($"{command} failed (exit {result.ExitCode}): {result.ErrorLine}");
    }
}
