namespace Yardmaster.Runtime.Pipelines;

/// <summary>Where one item of a <c>map:</c> step is (<see cref="MapProgress"/>).</summary>
internal enum MapItemState : byte
{
    /// <summary>Waiting for a place (or not tried yet).</summary>
    Pending,

    /// <summary>An attempt runs it.</summary>
    Running,

    /// <summary>Its attempt failed; a retry waits for its delay.</summary>
    Retrying,

    /// <summary>An attempt succeeded.</summary>
    Succeeded,

    /// <summary>Its last attempt failed and no retry is left.</summary>
    Failed,

    /// <summary>Stopped by a cancellation of its run.</summary>
    Cancelled,
}
