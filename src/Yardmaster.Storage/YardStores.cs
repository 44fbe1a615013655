using Yardmaster.Core.Cluster;
using Yardmaster.Core.History;
using Yardmaster.Core.Registry;
using Yardmaster.Core.Runs;

namespace Yardmaster.Storage;

/// <summary>
/// The stores of one Yardmaster on one backend, as <see cref="StoreOpener.OpenAsync"/> opened them: the registry, the runs,
/// the history and, on PostgreSQL, the cluster's heartbeats and lease. Disposing closes them all.
/// </summary>
public sealed class YardStores : IAsyncDisposable
{
    internal YardStores(string location, IRegistryStore registry, IRunStore runs, IHistoryStore history, IClusterStore? cluster)
    {
        Location = location;
        Registry = registry;
        Runs = runs;
        History = history;
        Cluster = cluster;
    }

    /// <summary>Where the stores are: the SQLite file's full path, or the database's URL (never with a password).</summary>
    public string Location { get; }

    /// <summary>Tasks, models and credential hashes.</summary>
    public IRegistryStore Registry { get; }

    /// <summary>Runs, steps, attempts, transitions and step durations.</summary>
    public IRunStore Runs { get; }

    /// <summary>Rollups, the request log, model events and usage samples.</summary>
    public IHistoryStore History { get; }

    /// <summary>Heartbeats and the leader lease; null on SQLite, which one instance alone uses.</summary>
    public IClusterStore? Cluster { get; }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }

        await History.DisposeAsync();
        await Runs.DisposeAsync();
        await Registry.DisposeAsync();
    }
}
