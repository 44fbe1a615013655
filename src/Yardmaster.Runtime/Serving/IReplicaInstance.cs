namespace Yardmaster.Runtime.Serving;

/// <summary>
/// One running replica as its backend made it: an in-process engine, a child model server, or a remote
/// endpoint. Disposing unloads it (stops the child: SIGTERM, grace, SIGKILL). Thread-safe.
/// </summary>
public interface IReplicaInstance : IAsyncDisposable
{
    /// <summary>Its footprint as measured after load, bytes (a child's RSS; weights + KV cache in-process; 0 for a remote endpoint).</summary>
    long MemoryBytes { get; }

    /// <summary>Completes when the backend dies on its own (a child exits, a remote endpoint fails its health checks); never completes on disposal.</summary>
    Task Exited { get; }

    /// <summary>Why it died, once <see cref="Exited"/> has completed.</summary>
    string? ExitReason { get; }

    /// <summary>The cluster node it runs on (<c>n1</c>); null for a replica of this machine or a remote endpoint.</summary>
    string? Node => null;

    /// <summary>How the engine running it names it (<c>slurm job 42 on n1</c>); null when none does.</summary>
    string? Locator => null;
}
