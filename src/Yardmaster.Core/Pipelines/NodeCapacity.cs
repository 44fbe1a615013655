namespace Yardmaster.Core.Pipelines;

/// <summary>What one node offers steps in all: CPU millicores, memory bytes and GPU devices.</summary>
/// <param name="Name">The node's name (<c>local</c> for this machine).</param>
/// <param name="CpuMillis">1000 per core.</param>
/// <param name="MemoryBytes">Memory for steps and models.</param>
/// <param name="Gpus">GPU devices, by count.</param>
public sealed record NodeCapacity(string Name, long CpuMillis, long MemoryBytes, int Gpus)
{
    /// <summary>The device index (as <c>nvidia-smi</c> numbers it) of each of the node's GPUs, in ledger order; default 0, 1, 2, ...</summary>
    public IReadOnlyList<int> GpuIndexes { get => field ?? [.. Enumerable.Range(0, Gpus)]; init; }

    /// <summary>
    /// The engine whose steps may be placed on it: <see cref="Engines.Local"/> (this machine: process, docker, inference),
    /// <see cref="Engines.Slurm"/> or <see cref="Engines.Kubernetes"/> (a node of that cluster, learnt from the engine).
    /// </summary>
    public string Engine { get; init; } = Engines.Local;

    /// <summary>Where a server on the node is reached (Slurm's <c>NodeAddr</c>, a Kubernetes node's InternalIP); null for its name.</summary>
    public string? Address { get; init; }

    /// <summary>True when <paramref name="request"/> fits in the whole node.</summary>
    public bool Holds(ResourceRequest request) => request.CpuMillis <= CpuMillis && request.MemoryBytes <= MemoryBytes && request.Gpus <= Gpus;
}
