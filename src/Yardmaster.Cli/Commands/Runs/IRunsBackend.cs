using System.Text.Json;

namespace Yardmaster.Cli.Commands.Runs;

/// <summary>Where run commands act: a scheduler embedded in this process, or a server's <c>/api/runs</c>. Both answer in the API's JSON.</summary>
internal interface IRunsBackend : IAsyncDisposable
{
    /// <summary>"embedded (data folder X)" or the server's URL, for messages.</summary>
    string Describe { get; }

    /// <summary>The new run's id; or null and the pipeline's errors, as <see cref="ValidateAsync"/> gives them.</summary>
    Task<(string? Id, ValidationErrors Errors)> SubmitAsync(string yaml, string file, CancellationToken cancellationToken);

    /// <summary>The pipeline's errors as the scheduler would judge them (the first 100 and the count); empty when it would run. Starts nothing.</summary>
    Task<ValidationErrors> ValidateAsync(string yaml, string file, CancellationToken cancellationToken);

    /// <summary>The run's detail JSON (with its transitions when <paramref name="transitions"/>); null when there is no such run.</summary>
    Task<JsonElement?> GetAsync(string runId, bool transitions, CancellationToken cancellationToken);

    /// <summary>Completes when the run has ended, when this backend can tell without polling (embedded); else null.</summary>
    Task? Ended(string runId, CancellationToken cancellationToken);

    /// <summary>The <c>{"runs": [...]}</c> JSON.</summary>
    Task<JsonElement> ListAsync(string? pipeline, int limit, CancellationToken cancellationToken);

    /// <summary>Null when cancelling, else why not. <paramref name="reason"/> is what the run will say (a server records its own).</summary>
    Task<string?> CancelAsync(string runId, string reason, CancellationToken cancellationToken);

    /// <summary>Null when the run is running again, else why not.</summary>
    Task<string?> RetryAsync(string runId, string? stepId, CancellationToken cancellationToken);

    /// <summary>Copies a step's log (latest attempt unless <paramref name="attempt"/>) to <paramref name="output"/>; null when done, else an error.</summary>
    Task<string?> LogsAsync(string runId, string stepId, int? attempt, bool follow, Stream output, CancellationToken cancellationToken);
}
