using Yardmaster.Core.Execution;
using Yardmaster.Core.Pipelines;

namespace Yardmaster.Server.Backends;

/// <summary>A cluster model replicas may run on (<c>backend: slurm</c>, <c>backend: kubernetes</c>): how jobs start there, and its nodes.</summary>
/// <param name="Executor">Starts, finds and stops the replica's job.</param>
/// <param name="Nodes">The cluster's nodes, as discovery reported them.</param>
public sealed record ClusterEngine(IStepExecutor Executor, IReadOnlyList<NodeCapacity> Nodes);
