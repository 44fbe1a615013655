using Microsoft.Extensions.Logging;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Execution;
using Yardmaster.Core.Pipelines;
using Yardmaster.Executors.Kubernetes;
using Yardmaster.Executors.Slurm;
using Yardmaster.Server.Backends;

namespace Yardmaster.Server.Pipelines;

/// <summary>
/// The clusters <c>yard.yaml</c> configures (<c>jobs.slurm</c>, <c>jobs.kubernetes</c>): each one's executor, shared by
/// pipeline steps and model replicas, and the nodes it reported at startup, for the ledger. A cluster that does not
/// answer at startup is logged and left out (its steps are then refused at validation, naming the engine), so the
/// server still starts; a configuration the executor refuses is an error.
/// </summary>
public sealed partial class ClusterEngines : IAsyncDisposable
{
    private readonly List<IStepExecutor> _executors = [];
    private readonly List<NodeCapacity> _nodes = [];
    private readonly Dictionary<string, ClusterEngine> _engines = new(StringComparer.Ordinal);

    private ClusterEngines()
    {
    }

    /// <summary>None: no cluster is configured.</summary>
    public static ClusterEngines None { get; } = new();

    /// <summary>The executors, one per configured engine.</summary>
    public IReadOnlyList<IStepExecutor> Executors => _executors;

    /// <summary>Every node the clusters reported available, in engine then discovery order.</summary>
    public IReadOnlyList<NodeCapacity> Nodes => _nodes;

    /// <summary>The engines model replicas may run on, by name.</summary>
    public IReadOnlyDictionary<string, ClusterEngine> ForReplicas => _engines;

    /// <summary>Creates the executors of <paramref name="jobs"/> and asks each cluster for its nodes.</summary>
    /// <exception cref="ArgumentException">A section the executor refuses (the message lists why).</exception>
    public static async Task<ClusterEngines> OpenAsync(JobSettings jobs, ILogger log, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        if (jobs.Slurm is null && jobs.Kubernetes is null)
        {
            return None;
        }

        var engines = new ClusterEngines();
        try
        {
            if (jobs.Slurm is { } slurm)
            {
                var options = SlurmExecutorOptions.From(slurm);
                var executor = new SlurmExecutor(options, time);
                engines._executors.Add(executor);
                IReadOnlyList<NodeCapacity> nodes = [];
                try
                {
                    var found = await SlurmNodes.DiscoverAsync(options, time, cancellationToken).ConfigureAwait(false);
                    nodes = [.. found.Where(n => n.Available).Select(n => n.Capacity)];
                    foreach (var down in found.Where(n => !n.Available))
                    {
                        Log.NodeLeftOut(log, Engines.Slurm, down.Capacity.Name, down.State);
                    }
                }
                catch (Exception e) when (e is SlurmCommandException or IOException or System.ComponentModel.Win32Exception)
                {
                    Log.NoNodes(log, Engines.Slurm, e.Message);
                }

                engines.Add(executor, nodes);
            }

            if (jobs.Kubernetes is { } kubernetes)
            {
                var options = KubernetesExecutorOptions.From(kubernetes);
                options.StopGrace = jobs.StopGrace;
                var executor = new KubernetesExecutor(options, time);
                engines._executors.Add(executor);
                IReadOnlyList<NodeCapacity> nodes = [];
                try
                {
                    nodes = await KubernetesNodes.DiscoverAsync(options, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException)
                {
                    Log.NoNodes(log, Engines.Kubernetes, e.Message);
                }

                engines.Add(executor, nodes);
            }

            return engines;
        }
        catch
        {
            await engines.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops following jobs (they keep running on their clusters).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var executor in _executors)
        {
            switch (executor)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }

        _executors.Clear();
    }

    private void Add(IStepExecutor executor, IReadOnlyList<NodeCapacity> nodes)
    {
        _nodes.AddRange(nodes);
        _engines[executor.Name] = new ClusterEngine(executor, nodes);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 113, Level = LogLevel.Warning, Message = "The {Engine} cluster did not list its nodes, so no step or replica is placed there until the server restarts: {Reason}")]
        public static partial void NoNodes(ILogger logger, string engine, string reason);

        [LoggerMessage(EventId = 114, Level = LogLevel.Information, Message = "The {Engine} node {Node} is left out of the ledger: its state is {State}")]
        public static partial void NodeLeftOut(ILogger logger, string engine, string node, string state);
    }
}
