namespace Yardmaster.Inference.Kernels;

/// <summary>
/// One piece of parallel work split into <see cref="Chunks"/> independent chunks. A job object carries
/// all its parameters and is used for one <see cref="ComputePool.Run"/> only, so a worker that wakes late
/// and still holds a finished job finds no chunk left and touches nothing of the next one.
/// </summary>
internal abstract class ParallelJob
{
    private int _next;
    private int _done;
    private Exception? _error;

    protected ParallelJob(int chunks) => Chunks = chunks;

    /// <summary>Number of chunks.</summary>
    public int Chunks { get; }

    internal bool Finished => Volatile.Read(ref _done) >= Chunks;

    internal Exception? Error => _error;

    /// <summary>Runs chunk <paramref name="chunk"/> on compute thread <paramref name="thread"/> (0 is the caller).</summary>
    protected abstract void RunChunk(int chunk, int thread);

    /// <summary>Claims and runs chunks until none are left.</summary>
    internal void Work(int thread)
    {
        int chunk;
        while ((chunk = Interlocked.Increment(ref _next) - 1) < Chunks)
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
}
