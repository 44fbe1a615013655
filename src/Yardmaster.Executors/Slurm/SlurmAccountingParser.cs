using System.Globalization;

namespace Yardmaster.Executors.Slurm;

/// <summary>
/// Reads <c>sacct --noheader --parsable2 --allocations --format=JobIDRaw,State,ExitCode,NodeList,Reason,JobName</c>: one
/// job a line, fields separated by '|'; <c>ExitCode</c> is <c>code:signal</c> (<c>3:0</c>, <c>0:9</c>). Pure.
/// </summary>
internal static class SlurmAccountingParser
{
    /// <summary>The <c>--format</c> argument whose output <see cref="Parse"/> reads.</summary>
    public const string Format = "JobIDRaw,State,ExitCode,NodeList,Reason,JobName";

    /// <summary>Every job of the output (job steps such as <c>12.batch</c> are skipped); when a job id repeats (requeued), the last line counts.</summary>
    public static IReadOnlyList<(SlurmJobState State, string Name)> Parse(string output)
    {
        var jobs = new Dictionary<string, (SlurmJobState, string)>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.TrimEnd('\r').Split('|');
            if (fields.Length < 6 || fields[0].Trim().Length == 0 || fields[0].Contains('.', StringComparison.Ordinal))
            {
                continue;
            }

            var (exit, signal) = ExitCode(fields[2]);
            var id = fields[0].Trim();
            jobs[id] = (new SlurmJobState(id, SlurmJobState.BaseState(fields[1]), exit, signal, SlurmJobState.NodeOf(fields[3]), SlurmJobState.ReasonOf(fields[4])),
                string.Join('|', fields[5..]).Trim());
        }

        return [.. jobs.Values];
    }

    /// <summary><c>code:signal</c> as (exit code, signal): a non-zero signal wins.</summary>
    public static (int? ExitCode, int? Signal) ExitCode(string column)
    {
        var parts = column.Trim().Split(':');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var code)
            || !int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var signal))
        {
            return (null, null);
        }

        return signal != 0 ? (null, signal) : (code, null);
    }
}
