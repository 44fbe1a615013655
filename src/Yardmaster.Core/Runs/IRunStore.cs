namespace Yardmaster.Core.Runs;

/// <summary>
/// The port where runs, steps, attempts and their transitions are kept (SQLite; a PostgreSQL adapter later).
/// Every method is thread-safe; a batch is one transaction, all of it or none.
/// </summary>
public interface IRunStore : IAsyncDisposable
{
    /// <summary>The next run id (<c>r1</c>, <c>r2</c>, ...): unique in the store, never reused.</summary>
    Task<string> NextRunIdAsync(CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="batch"/> in one transaction.</summary>
    Task WriteAsync(RunStoreBatch batch, CancellationToken cancellationToken);

    /// <summary>Runs, newest first, at most <paramref name="limit"/>; only those of <paramref name="pipeline"/> when given.</summary>
    Task<IReadOnlyList<RunRecord>> ListRunsAsync(string? pipeline, int limit, CancellationToken cancellationToken);

    /// <summary>A run with its steps and attempts; null when there is no such run.</summary>
    Task<RunDetail?> GetRunAsync(string runId, CancellationToken cancellationToken);

    /// <summary>Every transition of a run, oldest first.</summary>
    Task<IReadOnlyList<TransitionRecord>> TransitionsAsync(string runId, CancellationToken cancellationToken);

    /// <summary>Every run still <c>running</c>, with steps and attempts, oldest first: what a restarted scheduler takes over.</summary>
    Task<IReadOnlyList<RunDetail>> UnfinishedRunsAsync(CancellationToken cancellationToken);

    /// <summary>The estimated durations of a pipeline's steps, seconds, by step id.</summary>
    Task<IReadOnlyDictionary<string, double>> DurationsAsync(string pipeline, CancellationToken cancellationToken);
}
