namespace Yardmaster.Runtime.Serving;

/// <summary>
/// The decision traces kept: every live request's, and the last <see cref="Capacity"/> finished ones (a ring).
/// Found by request id; a client that reuses an id sees its latest request. Guarded by the scheduler's lock.
/// </summary>
internal sealed class DecisionTraces
{
    /// <summary>Finished traces kept.</summary>
    public const int Capacity = 1000;

    private readonly Dictionary<string, TraceBuilder> _byId = new(StringComparer.Ordinal);
    private readonly Queue<TraceBuilder> _finished = new();

    /// <summary>A new trace, or (for a retry: <paramref name="attempt"/> above 1) the request's earlier one, reopened.</summary>
    public TraceBuilder Begin(string requestId, string task, Core.PriorityClass priority, int attempt, DateTimeOffset now)
    {
        if (attempt > 1 && _byId.TryGetValue(requestId, out var earlier) && earlier.Task == task)
        {
            if (earlier.Done)
            {
                earlier.Reopen(priority);
            }

            return earlier;
        }

        var trace = new TraceBuilder(requestId, task, priority, now);
        _byId[requestId] = trace;
        return trace;
    }

    /// <summary>Ends a trace and keeps it among the finished, dropping the oldest beyond <see cref="Capacity"/>.</summary>
    public void Finish(TraceBuilder trace, DateTimeOffset at, string outcome, Refusal? refusal = null)
    {
        if (trace.Done)
        {
            return;
        }

        trace.Finish(at, outcome, refusal);
        _finished.Enqueue(trace);
        while (_finished.Count > Capacity)
        {
            var old = _finished.Dequeue();
            if (old.Done && _byId.TryGetValue(old.RequestId, out var kept) && ReferenceEquals(kept, old) && (old.Attempts == 1 || !_finished.Contains(old)))
            {
                _byId.Remove(old.RequestId);
            }
        }
    }

    public DecisionTrace? Find(string requestId) => _byId.TryGetValue(requestId, out var trace) ? trace.ToTrace() : null;
}
