namespace Yardmaster.Inference.Kernels;

/// <summary>
/// One piece of parallel work split into <see cref="Chunks"/> independent chunks. The chunks are cut
/// into one contiguous range per thread: each thread works through its own range front to back (a long
/// sequential stream, which the hardware prefetcher follows), and a thread that finishes early takes
/// chunks from the back of the others' ranges, so a thread slowed by another process delays the job by
/// at most the chunk it holds. A job object carries all its parameters and serves one
/// <see cref="ComputePool.Run"/>: a worker that wakes late and still holds a finished job finds nothing
/// left and touches nothing of the next one.
/// </summary>
internal abstract class ParallelJob
{
    // Per range: the next chunk from the front (low 32 bits) and the end (high 32 bits), claimed by CAS.
    private long[] _ranges = [];
    private int _done;
    private Exception? _error;

    protected ParallelJob(int chunks) => Chunks = chunks;

    /// <summary>Number of chunks.</summary>
    public int Chunks { get; }

    internal bool Finished => Volatile.Read(ref _done) >= Chunks;

    internal Exception? Error => _error;

    /// <summary>Cuts the chunks into <paramref name="threads"/> ranges; called once before any <see cref="Work"/>.</summary>
    internal void Prepare(int threads)
    {
        var count = Math.Clamp(threads, 1, Math.Max(1, Chunks));
        _ranges = new long[count];
        for (var t = 0; t < count; t++)
        {
            long start = (long)Chunks * t / count;
            long end = (long)Chunks * (t + 1) / count;
            _ranges[t] = Pack((int)start, (int)end);
        }
    }

    /// <summary>Runs chunk <paramref name="chunk"/> on compute thread <paramref name="thread"/> (0 is the caller).</summary>
    protected abstract void RunChunk(int chunk, int thread);

    /// <summary>Runs this thread's range, then helps with the others' until no chunk is left.</summary>
    internal void Work(int thread)
    {
        var ranges = _ranges;
        if (thread < ranges.Length)
        {
            while (TakeFront(ref ranges[thread]) is var chunk and >= 0)
            {
                Run(chunk, thread);
            }
        }

        for (var i = 1; i < ranges.Length; i++)
        {
            var victim = (thread + i) % ranges.Length;
            while (TakeBack(ref ranges[victim]) is var chunk and >= 0)
            {
                Run(chunk, thread);
            }
        }
    }

    private static int TakeFront(ref long range) => Take(ref range, fromBack: false);

    private static int TakeBack(ref long range) => Take(ref range, fromBack: true);

    /// <summary>Claims the first or last chunk of a range by CAS; -1 when the range is empty.</summary>
    private static int Take(ref long range, bool fromBack)
    {
        while (true)
        {
            var current = Volatile.Read(ref range);
            var front = (int)(current & 0xFFFFFFFF);
            var end = (int)(current >> 32);
            if (front >= end)
            {
                return -1;
            }

            var next = fromBack ? Pack(front, end - 1) : Pack(front + 1, end);
            if (Interlocked.CompareExchange(ref range, next, current) == current)
            {
                return fromBack ? end - 1 : front;
            }
        }
    }

    private static long Pack(int front, int end) => (uint)front | ((long)end << 32);

    private void Run(int chunk, int thread)
    {
        try
        {
            RunChunk(chunk, thread);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Interlocked.CompareExchange(ref _error, e, null);
        }

        Interlocked.Increment(ref _done);
    }
}
