namespace Yardmaster.Core.Queueing;

/// <summary>
/// The service each priority class was dequeued for over the last <see cref="Span"/>: the predicted service time
/// (<see cref="QueuedRequest.Service"/>) of every request at the time it left the queue. Divided by the span, it is the
/// share of the slots the class held, so the slots less the share of the classes above one class is what that class had
/// left. Pure (time passed in); not thread-safe.
/// </summary>
internal sealed class ServiceWindow
{
    /// <summary>How far back the window reaches.</summary>
    public static readonly TimeSpan Span = TimeSpan.FromMinutes(2);

    private readonly Queue<(DateTimeOffset At, double Seconds)>[] _served = [new(), new(), new(), new(), new()];
    private readonly double[] _sums = new double[5];

    /// <summary>A request of class <paramref name="priority"/> left the queue at <paramref name="now"/> to be served.</summary>
    public void Record(PriorityClass priority, DateTimeOffset now, TimeSpan service)
    {
        if (service <= TimeSpan.Zero)
        {
            return;
        }

        _served[(int)priority].Enqueue((now, service.TotalSeconds));
        _sums[(int)priority] += service.TotalSeconds;
        Prune((int)priority, now); // bounded by what the span holds, whether or not anyone asks
    }

    /// <summary>Slots (service-seconds per second) the classes more urgent than <paramref name="priority"/> were dequeued for over the window ending at <paramref name="now"/>.</summary>
    public double SlotsAbove(PriorityClass priority, DateTimeOffset now)
    {
        var seconds = 0.0;
        for (var c = 0; c < (int)priority; c++)
        {
            Prune(c, now);
            seconds += _sums[c];
        }

        return seconds / Span.TotalSeconds;
    }

    private void Prune(int c, DateTimeOffset now)
    {
        var served = _served[c];
        while (served.TryPeek(out var oldest) && now - oldest.At > Span)
        {
            _sums[c] -= served.Dequeue().Seconds;
        }

        if (served.Count == 0)
        {
            _sums[c] = 0; // no drift from the additions and subtractions
        }
    }
}
