using System.Globalization;

namespace Yardmaster.Executors.Slurm;

/// <summary>
/// The job commands the executor uses: submit (<c>sbatch</c>), look up (<c>squeue</c> for what slurmctld still holds,
/// <c>sacct</c> for what it has forgotten), signal and cancel (<c>scancel</c>). Failures to run a command throw
/// <see cref="SlurmCommandException"/>. Thread-safe.
/// </summary>
internal sealed class SlurmJobs(SlurmCommands commands)
{
    private const int IdsPerQuery = 500;

    /// <summary>Runs <c>sbatch</c> with <paramref name="arguments"/> and <paramref name="environment"/>; returns the job id, or throws with Slurm's refusal.</summary>
    public async Task<string> SubmitAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var result = await commands.RunAsync("sbatch", arguments, environment, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new SlurmCommandException($"sbatch refused the job (exit {result.ExitCode}): {result.ErrorLine}");
        }

        // --parsable prints "id" or "id;cluster".
        var id = result.Output.Trim().Split(';')[0];
        return id.Length > 0 && id.All(char.IsAsciiDigit)
            ? id
            : throw new SlurmCommandException($"sbatch answered '{result.Output.Trim()}', not a job id");
    }

    /// <summary>
    /// The states of <paramref name="jobIds"/>: first from <c>squeue</c> (jobs slurmctld holds, ended ones for its
    /// <c>MinJobAge</c>), then the rest from <c>sacct</c>. Jobs neither knows are absent; <c>AccountingError</c> then says
    /// why sacct could not tell (accounting disabled, slurmdbd down), else null. Throws when squeue itself fails.
    /// </summary>
    public async Task<(Dictionary<string, SlurmJobState> States, string? AccountingError)> StatesAsync(IReadOnlyCollection<string> jobIds, CancellationToken cancellationToken)
    {
        var states = new Dictionary<string, SlurmJobState>(StringComparer.Ordinal);
        foreach (var chunk in jobIds.Chunk(IdsPerQuery))
        {
            foreach (var (state, _) in await QueueAsync(["--jobs=" + string.Join(',', chunk)], cancellationToken))
            {
                states[state.JobId] = state;
            }
        }

        var missing = jobIds.Where(id => !states.ContainsKey(id)).ToList();
        var (accounted, accountingError) = missing.Count > 0 ? await AccountingAsync(missing, cancellationToken) : ([], null);
        foreach (var state in accounted)
        {
            states[state.JobId] = state;
        }

        return (states, accountingError);
    }

    /// <summary>The states <c>sacct</c> holds for <paramref name="jobIds"/>; when it cannot tell (accounting disabled, slurmdbd down), none and why.</summary>
    public async Task<(IReadOnlyList<SlurmJobState> States, string? Error)> AccountingAsync(IReadOnlyCollection<string> jobIds, CancellationToken cancellationToken)
    {
        var states = new List<SlurmJobState>();
        string? error = null;
        foreach (var chunk in jobIds.Chunk(IdsPerQuery))
        {
            var result = await commands.RunAsync("sacct", ["--noheader", "--parsable2", "--allocations", "--format=" + SlurmAccountingParser.Format, "--jobs=" + string.Join(',', chunk)], null, cancellationToken);
            if (result.ExitCode != 0)
            {
                error = $"sacct: {result.ErrorLine}";
                continue;
            }

            states.AddRange(SlurmAccountingParser.Parse(result.Output).Select(j => j.State));
        }

        return (states, error);
    }

    /// <summary>
    /// The id of the job named <paramref name="name"/> (the newest when several are), from <c>squeue</c>, else from
    /// <c>sacct</c> among jobs submitted since <paramref name="since"/>; null when neither knows one.
    /// </summary>
    public async Task<string?> FindByNameAsync(string name, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var queued = (await QueueAsync(["--name=" + name], cancellationToken)).Where(j => j.Name == name).Select(j => j.State.JobId).ToList();
        if (queued.Count > 0)
        {
            return Newest(queued);
        }

        var start = since.UtcDateTime.ToLocalTime().ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        var result = await commands.RunAsync("sacct", ["--noheader", "--parsable2", "--allocations", "--format=" + SlurmAccountingParser.Format, "--name=" + name, "--starttime=" + start], null, cancellationToken);
        var found = result.ExitCode == 0 ? SlurmAccountingParser.Parse(result.Output).Where(j => j.Name == name).Select(j => j.State.JobId).ToList() : [];
        return found.Count > 0 ? Newest(found) : null;
    }

    /// <summary>
    /// <c>scancel --signal=SIGNAL --full</c>: the signal to the batch script and every step of the job. False when Slurm
    /// refused (a pending job has no processes; an ended job is gone).
    /// </summary>
    public async Task<bool> SignalAsync(string jobId, string signal, CancellationToken cancellationToken) =>
        (await commands.RunAsync("scancel", ["--signal=" + signal, "--full", jobId], null, cancellationToken)).ExitCode == 0;

    /// <summary><c>scancel JOB</c>: cancels it, pending or running. False when Slurm refused (it has ended).</summary>
    public async Task<bool> CancelAsync(string jobId, CancellationToken cancellationToken) =>
        (await commands.RunAsync("scancel", [jobId], null, cancellationToken)).ExitCode == 0;

    private async Task<IReadOnlyList<(SlurmJobState State, string Name)>> QueueAsync(IReadOnlyList<string> selection, CancellationToken cancellationToken)
    {
        var result = await commands.RunAsync("squeue", ["--noheader", "--states=all", "--Format=" + SlurmQueueParser.Format, .. selection], null, cancellationToken);
        if (result.ExitCode == 0)
        {
            return SlurmQueueParser.Parse(result.Output);
        }

        // squeue refuses a list of ids it knows none of; that is an answer (ask sacct), not a failure.
        return result.Error.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase)
            ? []
            : throw new SlurmCommandException($"squeue failed (exit {result.ExitCode}): {result.ErrorLine}");
    }

    private static string Newest(IEnumerable<string> ids) => ids.MaxBy(id => long.Parse(id, CultureInfo.InvariantCulture))!;
}
