namespace Yardmaster.Simulation.Serving;

/// <summary>
/// The subject of a running request's cutoff event: the request until it ends, null after (the event then does nothing),
/// so that the event heap, which keeps the event until the deadline, does not keep the ended request.
/// </summary>
internal sealed class CutoffEvent
{
    /// <summary>The request; null once it ended.</summary>
    public SimRequest? Request { get; set; }
}
