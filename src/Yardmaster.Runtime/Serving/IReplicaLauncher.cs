using Yardmaster.Core.Configuration;

namespace Yardmaster.Runtime.Serving;

/// <summary>The port through which the scheduler starts replicas; one implementation per backend kind lives at the edge.</summary>
public interface IReplicaLauncher
{
    /// <summary>
    /// Footprint to reserve before loading: the declared memory, else an estimate (file size + KV cache for the
    /// slots and context); an error value, never a guess, when the model's file cannot be read.
    /// </summary>
    FootprintEstimate EstimateMemory(ModelDefinition model);

    /// <summary>
    /// Starts replica number <paramref name="replica"/> of <paramref name="model"/> and returns when it answers
    /// requests. Throws <see cref="ReplicaStartException"/> with a reason a user can act on when it cannot.
    /// </summary>
    Task<IReplicaInstance> StartAsync(ModelDefinition model, int replica, CancellationToken cancellationToken);

    /// <summary>
    /// The numbers of <paramref name="model"/>'s replicas that an earlier server started and that still run (cluster jobs
    /// outlive a killed <c>yard serve</c>), at most <paramref name="max"/>, claimed for this scheduler: <see cref="StartAsync"/>
    /// with a claimed number takes that replica over (and returns when it answers) instead of starting one. Asked once per
    /// model, when the scheduler adds it. None by default: most backends' replicas end with their server.
    /// </summary>
    IReadOnlyList<int> ClaimRunning(ModelDefinition model, int max) => [];
}
