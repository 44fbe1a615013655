namespace Yardmaster.Inference.Kernels;

/// <summary>
/// A fixed set of compute threads for the forward pass. <see cref="Run"/> publishes a job, works on it
/// from the calling thread too, and returns when every chunk is done. Completion counts chunks, not
/// threads, so a worker descheduled by another process (the machine is shared) delays the caller only
/// by the chunk it holds, never by the time it takes to wake up. Workers spin briefly after each job
/// (the next follows within microseconds) and then sleep, so an idle model costs no CPU.
/// Only one caller may use a pool at a time (the engine's loop thread).
/// </summary>
internal sealed class ComputePool : IDisposable
{
    private const int SpinIterations = 2_000;

    private readonly Worker[] _workers;
    private ParallelJob? _current;
    private int _generation;
    private volatile bool _stopping;

    public ComputePool(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Threads = threads;
        _workers = new Worker[threads - 1];
        for (var i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new Worker(this, i + 1);
        }
    }

    public int Threads { get; }

    public void Run(ParallelJob job)
    {
        var parallel = _workers.Length > 0 && job.Chunks > 1;
        job.Prepare(parallel ? Threads : 1);
        if (parallel)
        {
            Volatile.Write(ref _current, job);
            Interlocked.Increment(ref _generation);
            foreach (var worker in _workers)
            {
                worker.Wake();
            }
        }

        job.Work(0);
        var spinner = default(SpinWait);
        while (!job.Finished)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }

        if (job.Error is { } error)
        {
            throw new InvalidOperationException("a compute chunk failed", error);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        Interlocked.Increment(ref _generation);
        foreach (var worker in _workers)
        {
            worker.Wake();
            worker.Dispose();
        }
    }

    private sealed class Worker : IDisposable
    {
        private readonly ComputePool _pool;
        private readonly int _index;
        private readonly SemaphoreSlim _signal = new(0);
        private readonly Thread _thread;
        private int _sleeping;

        public Worker(ComputePool pool, int index)
        {
            _pool = pool;
            _index = index;
            _thread = new Thread(Loop) { IsBackground = true, Name = $"yard-compute-{index}" };
            _thread.Start();
        }

        public void Wake()
        {
            if (Interlocked.Exchange(ref _sleeping, 0) == 1)
            {
                _signal.Release();
            }
        }

        public void Dispose()
        {
            _thread.Join();
            _signal.Dispose();
        }

        private void Loop()
        {
            // Start from the generation the pool had when this worker was made (0), not from what it has
            // when the thread first runs: a Run or Dispose that happened in between is then not missed.
            var seen = 0;
            while (true)
            {
                var spins = 0;
                int current;
                while ((current = Volatile.Read(ref _pool._generation)) == seen)
                {
                    if (++spins < SpinIterations)
                    {
                        // Yield now and then: on a machine with few cores the thread that has real work
                        // (the HTTP server writing a token, another process) gets the core at once.
                        if (spins % 32 == 0)
                        {
                            Thread.Yield();
                        }
                        else
                        {
                            Thread.SpinWait(20);
                        }

                        continue;
                    }

                    Interlocked.Exchange(ref _sleeping, 1);
                    if (Volatile.Read(ref _pool._generation) == seen)
                    {
                        _signal.Wait();
                    }

                    Interlocked.Exchange(ref _sleeping, 0);
                    spins = 0;
                }

                seen = current;
                if (_pool._stopping)
                {
                    return;
                }

                Volatile.Read(ref _pool._current)?.Work(_index);
            }
        }
    }
}
