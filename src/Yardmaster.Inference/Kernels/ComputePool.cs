namespace Yardmaster.Inference.Kernels;

/// <summary>
/// A fixed set of compute threads for the forward pass. <see cref="Run"/> executes one piece of work on
/// the caller plus <c>Threads - 1</c> workers and returns when all are done. Workers spin briefly after
/// each piece (the next one usually follows within microseconds) and then sleep, so an idle model costs
/// no CPU. Only one caller may use a pool at a time (the engine's loop thread).
/// </summary>
internal sealed class ComputePool : IDisposable
{
    private const int SpinIterations = 2_000;

    private readonly Worker[] _workers;
    private IParallelWork? _work;
    private int _generation;
    private int _pending;
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

    public void Run(IParallelWork work)
    {
        if (_workers.Length == 0)
        {
            work.Execute(0, 1);
            return;
        }

        _work = work;
        Volatile.Write(ref _pending, _workers.Length);
        Interlocked.Increment(ref _generation);
        foreach (var worker in _workers)
        {
            worker.Wake();
        }

        Exception? error = null;
        try
        {
            work.Execute(0, Threads);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            error = e;
        }

        var spinner = default(SpinWait);
        while (Volatile.Read(ref _pending) != 0)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }

        _work = null;
        var workerError = _workers.Select(w => w.TakeError()).FirstOrDefault(e => e is not null);
        if ((error ?? workerError) is { } failure)
        {
            throw new InvalidOperationException("a compute thread failed", failure);
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
        private Exception? _error;

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

        public Exception? TakeError() => Interlocked.Exchange(ref _error, null);

        private void Loop()
        {
            var seen = Volatile.Read(ref _pool._generation);
            while (true)
            {
                var spins = 0;
                int current;
                while ((current = Volatile.Read(ref _pool._generation)) == seen)
                {
                    if (++spins < SpinIterations)
                    {
                        Thread.SpinWait(20);
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

                try
                {
                    _pool._work?.Execute(_index, _pool.Threads);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    _error = e;
                }

                Interlocked.Decrement(ref _pool._pending);
            }
        }
    }
}
