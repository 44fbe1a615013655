using System.Diagnostics;

namespace Yardmaster.Server.Tests.Observability;

/// <summary>Runs Prometheus's own <c>promtool check metrics</c> (Debian <c>prometheus</c>) on an exposition.</summary>
public static class Promtool
{
    /// <summary>The exit code and everything promtool printed (its lint findings).</summary>
    public static async Task<(int ExitCode, string Output)> CheckMetricsAsync(string text, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("promtool", "check metrics")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.StandardInput.WriteAsync(text.AsMemory(), cancellationToken);
        process.StandardInput.Close();
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, (await stdout) + (await stderr));
    }
}
