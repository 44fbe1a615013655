namespace Yardmaster.Core.Pipelines;

/// <summary>Where a run is. Terminal: <see cref="Succeeded"/>, <see cref="Failed"/>, <see cref="Cancelled"/>.</summary>
public enum RunState
{
    /// <summary>Some step has not ended.</summary>
    Running,

    /// <summary>Every step succeeded.</summary>
    Succeeded,

    /// <summary>Every step ended and at least one failed (its dependants were skipped).</summary>
    Failed,

    /// <summary>Cancelled by a user; running steps were killed.</summary>
    Cancelled,
}
