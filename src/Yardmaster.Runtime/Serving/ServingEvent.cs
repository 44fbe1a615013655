namespace Yardmaster.Runtime.Serving;

/// <summary>What happened to a replica, as <see cref="ServingScheduler.Changed"/> reports it (history, metrics, logs).</summary>
public enum ServingEventKind
{
    /// <summary>A replica finished loading and serves.</summary>
    Loaded,

    /// <summary>A replica failed to load, or its backend exited; a restart follows with backoff.</summary>
    Failed,

    /// <summary>A replica was unloaded (its memory freed); <see cref="ServingEvent.Unload"/> says why.</summary>
    Unloaded,
}

/// <summary>Why a replica was unloaded: a bounded set, fit for a metric label.</summary>
public enum UnloadReason
{
    /// <summary>Evicted to make room for another model (memory pressure).</summary>
    Evicted,

    /// <summary>Idle past its <c>keep_alive</c> (or <c>keep_alive: 0</c> once idle).</summary>
    Idle,

    /// <summary>An admin asked (<c>POST /api/models/{name}/unload</c>).</summary>
    Requested,

    /// <summary>The model was removed or changed.</summary>
    Removed,

    /// <summary>The server is stopping.</summary>
    Shutdown,
}

/// <summary>One replica event, raised outside the scheduler's lock.</summary>
/// <param name="At">When it happened.</param>
/// <param name="Kind">What happened.</param>
/// <param name="Model">The model.</param>
/// <param name="Replica">The replica's number.</param>
/// <param name="Device">The ledger account of its memory ("cpu", "gpu0", ...).</param>
/// <param name="Duration">The load time (for <see cref="ServingEventKind.Loaded"/>; for a failed load, the time until it failed).</param>
/// <param name="Bytes">Memory it held (measured after a load; what was freed at an unload).</param>
/// <param name="Unload">For <see cref="ServingEventKind.Unloaded"/>, why.</param>
/// <param name="Detail">Words for people: the failure, or whom an eviction made room for.</param>
public sealed record ServingEvent(
    DateTimeOffset At,
    ServingEventKind Kind,
    string Model,
    int Replica,
    string Device,
    TimeSpan? Duration,
    long Bytes,
    UnloadReason? Unload,
    string? Detail);
