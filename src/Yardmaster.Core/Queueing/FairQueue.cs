namespace Yardmaster.Core.Queueing;

/// <summary>
/// The <c>fair</c> ordering: a request that has waited <see cref="QueueOptions.MaxWait"/> first (oldest
/// first); otherwise the most urgent class, fair share between its tasks, earliest deadline within a
/// task. Every operation is O(log n) amortized; removal is lazy. Not thread-safe.
/// </summary>
internal sealed class FairQueue(TimeSpan maxWait) : IRequestQueue
{
    private readonly FairClassQueue[] _classes = [new(), new(), new(), new(), new()];
    private readonly RequestHeap<(long ArrivalTicks, long Id)> _byArrival = new();

    public int Count { get; private set; }

    public void Enqueue(QueuedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Queued)
        {
            throw new ArgumentException($"Request {request.Id} is already queued.", nameof(request));
        }

        if ((uint)request.Priority > (uint)PriorityClass.Batch)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.Priority, "Unknown priority class.");
        }

        if (!(request.Weight > 0) || !double.IsFinite(request.Weight) || !(request.Cost >= 0) || !double.IsFinite(request.Cost))
        {
            throw new ArgumentOutOfRangeException(nameof(request), $"Request {request.Id} has weight {request.Weight} and cost {request.Cost}; both must be finite, the weight positive and the cost not negative.");
        }

        _classes[(int)request.Priority].Enqueue(request);
        _byArrival.Push(request, (request.Arrival.UtcTicks, request.Id));
        request.Queued = true;
        Count++;
    }

    public QueuedRequest? Dequeue(DateTimeOffset now)
    {
        var oldest = _byArrival.PeekLive();
        if (oldest is null)
        {
            return null;
        }

        if (now - oldest.Arrival >= maxWait)
        {
            _byArrival.Pop();
            var task = (FairTask)oldest.QueueSlot!;
            Take(oldest);
            task.Owner.Forget(task, oldest, served: true);
            return oldest;
        }

        foreach (var queue in _classes)
        {
            if (queue.Count > 0)
            {
                var next = queue.Dequeue()!;
                Take(next);
                _byArrival.Compact(Count);
                return next;
            }
        }

        return null; // unreachable: a live request in the arrival heap is in some class
    }

    public bool Remove(QueuedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Queued || request.QueueSlot is not FairTask task || task.Owner != _classes[(int)request.Priority])
        {
            return false;
        }

        Take(request);
        task.Owner.Forget(task, request, served: false);
        _byArrival.Compact(Count);
        return true;
    }

    public int CountAhead(PriorityClass priority)
    {
        var ahead = 0;
        for (var i = 0; i <= (int)priority && i < _classes.Length; i++)
        {
            ahead += _classes[i].Count;
        }

        return ahead;
    }

    private void Take(QueuedRequest request)
    {
        request.Queued = false;
        request.QueueSlot = null;
        Count--;
    }
}
