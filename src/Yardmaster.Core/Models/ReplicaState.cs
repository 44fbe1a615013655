namespace Yardmaster.Core.Models;

/// <summary>
/// A replica's life: <see cref="Unloaded"/> → <see cref="Loading"/> → <see cref="Ready"/> →
/// <see cref="Draining"/> → <see cref="Unloaded"/>; <see cref="Failed"/> from Loading or Ready when the
/// backend dies or does not come up (then restarted with backoff).
/// </summary>
public enum ReplicaState
{
    /// <summary>Holds no memory.</summary>
    Unloaded,

    /// <summary>Memory reserved; the backend is starting.</summary>
    Loading,

    /// <summary>Serving.</summary>
    Ready,

    /// <summary>Takes no new requests; unloads when its last request ends.</summary>
    Draining,

    /// <summary>The backend died or did not come up; holds no memory; restarted after a backoff.</summary>
    Failed,
}
