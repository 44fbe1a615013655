namespace Yardmaster.Core.Queueing;

/// <summary>
/// Which waiting requests to give up so that the rest meet their deadlines, given the capacity they share: Moore and
/// Hodgson's rule, which completes the most jobs in time on one machine. The requests are taken in deadline order, each
/// adding its predicted service to the work ahead; whenever the work ahead of a deadline cannot be done by it at the
/// capacity, the longest request taken so far is given up. Pure.
/// </summary>
/// <remarks>
/// Used by the queues to refuse early, with a 503, requests that would otherwise wait until their deadline and time out,
/// and to give up the longest ones (which frees the most room for the rest) instead of whichever is served last. A request
/// with no predicted service (the model has not learned its rates yet) counts for nothing and is never given up.
/// </remarks>
internal static class DeadlineShedding
{
    /// <summary>The requests to give up; empty when every deadline can be met.</summary>
    /// <param name="waiting">The waiting requests (in any order).</param>
    /// <param name="now">The clock.</param>
    /// <param name="slots">The capacity they share, in slots (service-seconds per second); positive.</param>
    public static List<QueuedRequest> Doomed(IEnumerable<QueuedRequest> waiting, DateTimeOffset now, double slots)
    {
        ArgumentNullException.ThrowIfNull(waiting);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(slots);
        var doomed = new List<QueuedRequest>();
        var byDeadline = waiting.Where(r => r.Deadline > now && r.Service > TimeSpan.Zero).ToArray();
        Array.Sort(byDeadline, static (a, b) => a.Deadline != b.Deadline ? a.Deadline.CompareTo(b.Deadline) : a.Id.CompareTo(b.Id));
        var kept = new PriorityQueue<QueuedRequest, (long Service, long Id)>(); // the longest kept on top
        var ahead = 0.0;
        foreach (var request in byDeadline)
        {
            kept.Enqueue(request, (-request.Service.Ticks, -request.Id));
            ahead += request.Service.TotalSeconds;
            while ((request.Deadline - now).TotalSeconds < ahead / slots && kept.TryDequeue(out var longest, out _))
            {
                ahead -= longest.Service.TotalSeconds;
                doomed.Add(longest);
            }
        }

        return doomed;
    }
}
