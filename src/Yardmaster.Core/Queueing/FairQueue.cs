namespace Yardmaster.Core.Queueing;

/// <summary>
/// The <c>fair</c> ordering: a request that has waited its class's aging bound
/// (<see cref="QueueOptions.MaxWaitFor"/>) first, oldest first whatever its class; otherwise the most
/// urgent class, fair share between its tasks, earliest deadline within a task (shortest first: least
/// predicted service within a task, and a full queue sheds the longest). Every operation is O(log n)
/// amortized (shedding: O(1) amortized, O(n) in the class shed from for shortest first; <see cref="Doomed"/>: O(n log n) at
/// most once a second, and only when the class's work does not fit before its soonest deadline); removal is
/// lazy. Not thread-safe.
/// </summary>
internal sealed class FairQueue : IRequestQueue
{
    /// <summary><see cref="Doomed"/> looks again at most this often (it sorts each class's requests).</summary>
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);

    /// <summary>The least capacity a class is assumed to have left, in slots.</summary>
    private const double MinSlots = 0.5;

    private readonly FairClassQueue[] _classes;
    private readonly RequestHeap<(long ArrivalTicks, long Id)>[] _byArrival = [new(), new(), new(), new(), new()];
    private readonly RequestHeap<(long DeadlineTicks, long Id)>[] _byDeadline = [new(), new(), new(), new(), new()];
    private readonly double[] _work = new double[5]; // predicted service seconds queued, by class
    private readonly List<QueuedRequest>[] _pushed = [[], [], [], [], []]; // in the order enqueued (arrival order), stale ones included
    private readonly TimeSpan[] _maxWait;
    private readonly bool _shortestFirst;
    private readonly ServiceWindow _served = new();
    private DateTimeOffset _checked = DateTimeOffset.MinValue;

    /// <param name="options">The aging bounds.</param>
    /// <param name="shortestFirst">True for <c>fair-sjf</c>: least predicted service first within a task, the longest shed first.</param>
    public FairQueue(QueueOptions options, bool shortestFirst = false)
    {
        _maxWait = [.. PriorityClasses.All.Select(options.MaxWaitFor)];
        _shortestFirst = shortestFirst;
        _classes = [new(shortestFirst), new(shortestFirst), new(shortestFirst), new(shortestFirst), new(shortestFirst)];
    }

    public int Count { get; private set; }

    public PriorityClass? MostUrgent => Array.FindIndex(_classes, c => c.Count > 0) is var c and >= 0 ? (PriorityClass)c : null;

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
        _byArrival[(int)request.Priority].Push(request, (request.Arrival.UtcTicks, request.Id));
        _byDeadline[(int)request.Priority].Push(request, (request.Deadline.UtcTicks, request.Id));
        _work[(int)request.Priority] += request.Service.TotalSeconds;
        var pushed = _pushed[(int)request.Priority];
        if (pushed.Count > (2 * _classes[(int)request.Priority].Count) + 32)
        {
            pushed.RemoveAll(static r => !r.Queued); // amortized O(1), as the heaps' compaction
        }

        pushed.Add(request);
        request.Queued = true;
        Count++;
    }

    public QueuedRequest? Dequeue(DateTimeOffset now)
    {
        if (Count == 0)
        {
            return null;
        }

        if (OldestAged(now) is { } aged)
        {
            _byArrival[(int)aged.Priority].Pop();
            var task = (FairTask)aged.QueueSlot!;
            Take(aged);
            _served.Record(aged.Priority, now, aged.Service);
            task.Owner.Forget(task, aged, served: true);
            Tidy((int)aged.Priority);
            return aged;
        }

        foreach (var queue in _classes)
        {
            if (queue.Count > 0)
            {
                var next = queue.Dequeue()!;
                Take(next);
                _served.Record(next.Priority, now, next.Service);
                Tidy((int)next.Priority);
                return next;
            }
        }

        return null; // unreachable: Count counts requests that are in some class
    }

    public QueuedRequest? Peek(DateTimeOffset now)
    {
        if (Count == 0)
        {
            return null;
        }

        return OldestAged(now) ?? _classes.FirstOrDefault(static q => q.Count > 0)?.Peek();
    }

    /// <summary>Aging: of the classes' oldest requests, those past their class's bound; the oldest of them, or null.</summary>
    private QueuedRequest? OldestAged(DateTimeOffset now)
    {
        QueuedRequest? aged = null;
        for (var c = 0; c < _byArrival.Length; c++)
        {
            var oldest = _byArrival[c].PeekLive();
            if (oldest is not null && now - oldest.Arrival >= _maxWait[c]
                && (aged is null || oldest.Arrival < aged.Arrival || (oldest.Arrival == aged.Arrival && oldest.Id < aged.Id)))
            {
                aged = oldest;
            }
        }

        return aged;
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
        Tidy((int)request.Priority);
        return true;
    }

    public int CountAhead(PriorityClass priority, string task, double weight = 1)
    {
        ArgumentNullException.ThrowIfNull(task);
        var ahead = 0;
        for (var i = 0; i < (int)priority && i < _classes.Length; i++)
        {
            ahead += _classes[i].Count;
        }

        return (uint)priority < (uint)_classes.Length ? ahead + _classes[(int)priority].CountAhead(task, weight) : ahead;
    }

    public QueuedRequest? Shed(PriorityClass incoming)
    {
        for (var c = _classes.Length - 1; c > (int)incoming; c--)
        {
            if (_classes[c].Count > 0)
            {
                // The newest of the class: it has waited least, and the older ones are nearer their turn. Shortest first: the
                // longest (the newest of those), whose place serves most others.
                if (_shortestFirst)
                {
                    return _byArrival[c].Live().MaxBy(r => (r.Service.Ticks, r.Arrival.UtcTicks, r.Id));
                }

                // The last enqueued that is still queued (requests are enqueued in arrival order): O(1) amortized, where a
                // scan of a queue of thousands, on every arrival to a full queue, dominated a simulation of overload.
                var pushed = _pushed[c];
                while (!pushed[^1].Queued)
                {
                    pushed.RemoveAt(pushed.Count - 1);
                }

                return pushed[^1];
            }
        }

        return null;
    }

    public IReadOnlyList<QueuedRequest> Doomed(DateTimeOffset now, int slots)
    {
        if (slots <= 0 || Count == 0 || now - _checked < CheckEvery)
        {
            return [];
        }

        _checked = now;
        List<QueuedRequest>? doomed = null;
        for (var c = 0; c < _classes.Length; c++)
        {
            if (_classes[c].Count > 0)
            {
                // What the class had left, at least a fraction of a slot: classes above it may have held every slot.
                var left = Math.Max(slots - _served.SlotsAbove((PriorityClass)c, now), MinSlots);
                if (_byDeadline[c].PeekLive() is { } soonest && soonest.Deadline > now && _work[c] / left <= (soonest.Deadline - now).TotalSeconds)
                {
                    continue; // all of its work fits before its soonest deadline: every deadline can be met, no need to sort
                }

                var given = DeadlineShedding.Doomed(_byArrival[c].Live(), now, left);
                if (given.Count > 0)
                {
                    (doomed ??= []).AddRange(given);
                }
            }
        }

        return doomed ?? (IReadOnlyList<QueuedRequest>)[];
    }

    /// <summary>Drops the stale entries of class <paramref name="c"/>'s lookups: all of them once it is empty, else once they outnumber the live ones.</summary>
    private void Tidy(int c)
    {
        var live = _classes[c].Count;
        if (live == 0)
        {
            _byArrival[c].Clear();
            _byDeadline[c].Clear();
            _pushed[c].Clear();
            _work[c] = 0;
            return;
        }

        _byArrival[c].Compact(live);
        _byDeadline[c].Compact(live);
    }

    private void Take(QueuedRequest request)
    {
        var c = (int)request.Priority;
        _work[c] = Math.Max(0, _work[c] - request.Service.TotalSeconds);
        request.Queued = false;
        request.QueueSlot = null;
        Count--;
    }
}
