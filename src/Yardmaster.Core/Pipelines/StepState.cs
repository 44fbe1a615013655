namespace Yardmaster.Core.Pipelines;

/// <summary>Where a step of a run is. Terminal: <see cref="Succeeded"/>, <see cref="Failed"/>, <see cref="Cancelled"/>, <see cref="Skipped"/>.</summary>
public enum StepState
{
    /// <summary>Some step it needs has not succeeded yet.</summary>
    Waiting,

    /// <summary>Its needs succeeded; queued for a place on a node.</summary>
    Ready,

    /// <summary>An attempt was placed and is starting or running.</summary>
    Running,

    /// <summary>An attempt failed and a retry waits for its backoff delay.</summary>
    Retrying,

    /// <summary>An attempt succeeded.</summary>
    Succeeded,

    /// <summary>Its last attempt failed and no retry is left.</summary>
    Failed,

    /// <summary>Its run was cancelled before it finished.</summary>
    Cancelled,

    /// <summary>A step it needs failed or was cancelled, so it never ran.</summary>
    Skipped,
}
