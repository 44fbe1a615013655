using Yardmaster.Core.Configuration;

namespace Yardmaster.Core.Registry;

/// <summary>
/// The port that keeps task and model definitions (SQLite by default; PostgreSQL later). Names are the
/// keys; an upsert replaces the whole definition, and a list gives it back as written, <c>FromConfig</c>
/// included. Thread-safe; every call is one transaction.
/// </summary>
public interface IRegistryStore : IAsyncDisposable
{
    /// <summary>Every task, ordered by name.</summary>
    Task<IReadOnlyList<TaskDefinition>> ListTasksAsync(CancellationToken cancellationToken);

    /// <summary>Every model, ordered by name.</summary>
    Task<IReadOnlyList<ModelDefinition>> ListModelsAsync(CancellationToken cancellationToken);

    /// <summary>Creates or replaces a task.</summary>
    Task UpsertTaskAsync(TaskDefinition task, CancellationToken cancellationToken);

    /// <summary>Removes a task; false when there was none of that name.</summary>
    Task<bool> DeleteTaskAsync(string name, CancellationToken cancellationToken);

    /// <summary>Creates or replaces a model.</summary>
    Task UpsertModelAsync(ModelDefinition model, CancellationToken cancellationToken);

    /// <summary>Removes a model; false when there was none of that name.</summary>
    Task<bool> DeleteModelAsync(string name, CancellationToken cancellationToken);

    /// <summary>Appends a quality measurement; earlier ones of the same model and metric are kept as history.</summary>
    Task AddQualityAsync(ModelQuality quality, CancellationToken cancellationToken);

    /// <summary>
    /// Quality measurements, newest first: of <paramref name="model"/> (every one, up to <paramref name="limit"/>), or with
    /// <paramref name="model"/> null the latest per model and metric.
    /// </summary>
    Task<IReadOnlyList<ModelQuality>> ListQualityAsync(string? model, int limit, CancellationToken cancellationToken);

    /// <summary>The hash (SHA-256, lower-case hex) of the credential named <paramref name="name"/>; null when there is none.</summary>
    Task<string?> GetCredentialHashAsync(string name, CancellationToken cancellationToken);

    /// <summary>Creates or replaces the hash of the credential named <paramref name="name"/>. The secret itself is never stored.</summary>
    Task SetCredentialHashAsync(string name, string hash, CancellationToken cancellationToken);
}
