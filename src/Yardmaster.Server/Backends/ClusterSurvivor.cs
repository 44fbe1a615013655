using Yardmaster.Core.Execution;

namespace Yardmaster.Server.Backends;

/// <summary>A model replica's job that an earlier server of this data folder started and that still runs, found at start.</summary>
/// <param name="Record">What its attempt directory recorded (model, replica, node, URL).</param>
/// <param name="Job">The engine's handle on the job, followed again.</param>
/// <param name="AttemptDirectory">Its attempt directory (under the log directory's <c>jobs/</c>).</param>
internal sealed record ClusterSurvivor(ClusterReplicaRecord Record, IStepProcess Job, string AttemptDirectory)
{
    /// <summary>Why it was not adopted, for the log when it is stopped; null while it may be.</summary>
    public string? Refused { get; set; }
}
