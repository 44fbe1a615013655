namespace Yardmaster.Simulation.Serving;

/// <summary>How a simulated request ended.</summary>
internal enum SimOutcome
{
    /// <summary>Not ended yet.</summary>
    Pending,

    /// <summary>Served to the end.</summary>
    Completed,

    /// <summary>Refused at admission (the verdict says why).</summary>
    Refused,

    /// <summary>Still queued or running at its deadline (504).</summary>
    Expired,

    /// <summary>Waited for memory beyond <c>load_wait</c> with no replica coming (503).</summary>
    NoCapacity,
}
