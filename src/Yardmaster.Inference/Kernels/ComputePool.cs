namespace Yardmaster.Inference.Kernels;

/// <summary>
/// A fixed set of compute threads for the forward pass. <see cref="Run"/> publishes a job, works on it
/// from the calling thread too, and returns when every chunk is done. Completion counts chunks, not
/// threads, so a worker descheduled by another process (the machine is shared) delays the caller only
/// by the chunk it holds, never by the time it takes to wake up. Workers spin briefly after each job
/// (the next follows within microseconds) and then sleep, so an idle model costs no CPU.
/// Only one caller may use a pool at a time (the engine's loop thread). <see cref="Active"/> limits the threads a job runs
/// on: the others do not join it, stop spinning and sleep, so their cores go to other processes.
/// </summary>
internal sealed class ComputePool : IDisposable
{
    private const int SpinIterations = 2_000;

    private readonly Worker[] _workers;
    private ParallelJob? _current;
    private int _generation;
    private volatile bool _stopping;
    private volatile int _active;

    public ComputePool(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Threads = threads;
        _active = threads;
        _workers = new Worker[threads - 1];
        for (var i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new Worker(this, i + 1);
        }
    }

    public int Threads { get; }

    /// <summary>Threads the next jobs run on, the caller's included: 1 to <see cref="Threads"/> (default all). Set between jobs by the caller.</summary>
    public int Active
    {
        get => _active;
        set => _active = Math.Clamp(value, 1, Threads);
    }

    public void Run(ParallelJob job)
    {
        var active = _active;
        var parallel = active > 1 && job.Chunks > 1;
        job.Prepare(parallel ? active : 1);
        if (parallel)
        {
            Volatile.Write(ref _current, job);
            Interlocked.Increment(ref _generation);
            for (var i = 0; i < active - 1; i++)
            {
                _workers[i].Wake();
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
            var spins = 0;
            while (true)
            {
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

                if (_index >= _pool._active)
                {
                    continue; // not among the threads this job runs on: back to waiting, its spins still counted, so it soon sleeps
                }

                Volatile.Read(ref _pool._current)?.Work(_index);
                spins = 0;
            }
        }
    }
}
