namespace Yardmaster.Core.Queueing;

/// <summary>The baseline: first come, first served, whatever the class or deadline.</summary>
public sealed class FcfsQueuePolicy : IQueuePolicy
{
    /// <inheritdoc />
    public string Name => "fcfs";

    /// <inheritdoc />
    public IRequestQueue CreateQueue(QueueOptions options) => new FcfsQueue();

    private sealed class FcfsQueue : IRequestQueue
    {
        private readonly Queue<QueuedRequest> _items = new();
        private readonly int[] _byClass = new int[PriorityClasses.All.Count];

        public int Count { get; private set; }

        public PriorityClass? MostUrgent => Array.FindIndex(_byClass, n => n > 0) is var c and >= 0 ? (PriorityClass)c : null;

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

            request.Queued = true;
            _items.Enqueue(request);
            Count++;
            _byClass[(int)request.Priority]++;
        }

        public QueuedRequest? Dequeue(DateTimeOffset now)
        {
            while (_items.TryDequeue(out var next))
            {
                if (next.Queued)
                {
                    Take(next);
                    return next;
                }
            }

            return null;
        }

        public QueuedRequest? Peek(DateTimeOffset now)
        {
            while (_items.TryPeek(out var next))
            {
                if (next.Queued)
                {
                    return next;
                }

                _items.Dequeue(); // removed earlier, lazily
            }

            return null;
        }

        public bool Remove(QueuedRequest request)
        {
            if (!request.Queued)
            {
                return false;
            }

            Take(request); // lazily: the entry is skipped when it reaches the head
            return true;
        }

        // FCFS serves strictly by arrival, so everything waiting is ahead of a newcomer.
        public int CountAhead(PriorityClass priority, string task, double weight = 1) => Count;

        // Classes mean nothing here: a full queue refuses the newcomer, whatever its class.
        public QueuedRequest? Shed(PriorityClass incoming) => null;

        // First come, first served knows no deadlines: a request waits until its own passes.
        public IReadOnlyList<QueuedRequest> Doomed(DateTimeOffset now, int slots) => [];

        private void Take(QueuedRequest request)
        {
            request.Queued = false;
            Count--;
            _byClass[(int)request.Priority]--;
        }
    }
}
