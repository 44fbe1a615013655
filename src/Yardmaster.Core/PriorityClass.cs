namespace Yardmaster.Core;

/// <summary>
/// A request's or a run's class of urgency. Lower values are more urgent: a queue serves every
/// <see cref="Critical"/> request before any <see cref="High"/> one, and so on (aging aside).
/// </summary>
public enum PriorityClass
{
    /// <summary>Served first; for what breaks the business when late.</summary>
    Critical = 0,

    /// <summary>Interactive work with a tight SLO.</summary>
    High = 1,

    /// <summary>The default.</summary>
    Normal = 2,

    /// <summary>Work that may wait.</summary>
    Low = 3,

    /// <summary>Offline work that uses what the others leave.</summary>
    Batch = 4,
}
