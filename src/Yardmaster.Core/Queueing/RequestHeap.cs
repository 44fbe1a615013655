namespace Yardmaster.Core.Queueing;

/// <summary>
/// A min-heap of requests with lazy deletion: an entry whose request is no longer
/// <see cref="QueuedRequest.Queued"/> is stale and is skipped when it reaches the top, or dropped by
/// <see cref="Compact"/> once stale entries outnumber live ones. Not thread-safe.
/// </summary>
/// <typeparam name="TPriority">The ordering key; smaller is served first.</typeparam>
internal sealed class RequestHeap<TPriority>
{
    // Compaction is O(entries); doing it only when stale entries exceed live ones plus this slack keeps it amortized O(1).
    private const int Slack = 32;

    private readonly PriorityQueue<QueuedRequest, TPriority> _heap = new();
    private List<(QueuedRequest, TPriority)>? _buffer;

    /// <summary>Entries, stale ones included.</summary>
    public int Entries => _heap.Count;

    public void Push(QueuedRequest request, TPriority priority) => _heap.Enqueue(request, priority);

    /// <summary>The first live request, dropping stale entries above it; null when there is none.</summary>
    public QueuedRequest? PeekLive()
    {
        while (_heap.TryPeek(out var request, out _))
        {
            if (request.Queued)
            {
                return request;
            }

            _heap.Dequeue();
        }

        return null;
    }

    /// <summary>The live requests, in no order.</summary>
    public IEnumerable<QueuedRequest> Live() => _heap.UnorderedItems.Select(e => e.Element).Where(r => r.Queued);

    /// <summary>Removes the top entry (after <see cref="PeekLive"/> returned it).</summary>
    public void Pop() => _heap.Dequeue();

    public void Clear() => _heap.Clear();

    /// <summary>Drops stale entries when there are more of them than <paramref name="live"/> (plus a slack).</summary>
    public void Compact(int live)
    {
        if (_heap.Count <= (2 * live) + Slack)
        {
            return;
        }

        _buffer ??= [];
        foreach (var (request, priority) in _heap.UnorderedItems)
        {
            if (request.Queued)
            {
                _buffer.Add((request, priority));
            }
        }

        _heap.Clear();
        _heap.EnqueueRange(_buffer);
        _buffer.Clear();
    }
}
