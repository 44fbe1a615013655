using System.Globalization;

namespace Yardmaster.Executors.Slurm;

/// <summary>
/// Reads <c>squeue --noheader --states=all --Format=JobID:|,State:|,exit_code:|,NodeList:|,Reason:|,Name:|</c>: one job a
/// line, fields ended by '|'. <c>exit_code</c> there is the raw wait status of the batch script (768 is exit 3, 9 is
/// SIGKILL). Pure.
/// </summary>
internal static class SlurmQueueParser
{
    /// <summary>The <c>--Format</c> argument whose output <see cref="Parse"/> reads.</summary>
    public const string Format = "JobID:|,State:|,exit_code:|,NodeList:|,Reason:|,Name:|";

    /// <summary>Every job of the output; lines that do not have the fields are skipped.</summary>
    public static IReadOnlyList<(SlurmJobState State, string Name)> Parse(string output)
    {
        var jobs = new List<(SlurmJobState, string)>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.TrimEnd('\r').Split('|');
            if (fields.Length < 6 || fields[0].Trim().Length == 0)
            {
                continue;
            }

            var (exit, signal) = WaitStatus(fields[2]);
            var state = SlurmJobState.BaseState(fields[1]);
            if (!IsEndedOrEnding(state))
            {
                (exit, signal) = (null, null);
            }

            jobs.Add((new SlurmJobState(fields[0].Trim(), state, exit, signal, SlurmJobState.NodeOf(fields[3]), SlurmJobState.ReasonOf(fields[4])), fields[5].Trim()));
        }

        return jobs;
    }

    /// <summary>A raw wait status as (exit code, signal): the low 7 bits are the signal, the next byte the exit code.</summary>
    public static (int? ExitCode, int? Signal) WaitStatus(string column)
    {
        if (!int.TryParse(column.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var status))
        {
            return (null, null);
        }

        var signal = status & 0x7f;
        return signal != 0 ? (null, signal) : ((status >> 8) & 0xff, null);
    }

    private static bool IsEndedOrEnding(string state) => state != "PENDING" && state != "RUNNING" && state != "CONFIGURING" && state != "SUSPENDED";
}
