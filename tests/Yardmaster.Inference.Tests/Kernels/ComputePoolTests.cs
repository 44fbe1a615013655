using Yardmaster.Inference.Kernels;

namespace Yardmaster.Inference.Tests.Kernels;

public class ComputePoolTests
{
    [Fact]
    public async Task Dispose_RightAfterCreation_DoesNotWaitForever()
    {
        // A worker thread that first runs after its pool is already disposed must still see the stop.
        var disposals = Task.Run(() =>
        {
            for (var i = 0; i < 300; i++)
            {
                new ComputePool(3).Dispose();
            }
        }, TestContext.Current.CancellationToken);

        await disposals.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
    }

    [Fact]
    public void Run_ActiveLimited_ChunksRunOnThatManyThreads_AllOfThemOnce()
    {
        using var pool = new ComputePool(3);
        foreach (var active in new[] { 1, 2, 3, 1 })
        {
            pool.Active = active;
            var job = new RecordingJob(300);
            pool.Run(job);

            Assert.All(job.Runs, n => Assert.Equal(1, n)); // every chunk once
            Assert.True(job.Threads.Keys.All(t => t < active), $"threads {string.Join(",", job.Threads.Keys)} with {active} active");
        }

        pool.Active = 9;
        Assert.Equal(3, pool.Active); // clamped to the pool's threads
        pool.Active = 0;
        Assert.Equal(1, pool.Active);
    }

    /// <summary>Counts each chunk's runs and the compute threads that ran any (each chunk spins a little, so the workers get some).</summary>
    private sealed class RecordingJob(int chunks) : ParallelJob(chunks)
    {
        public int[] Runs { get; } = new int[chunks];

        public System.Collections.Concurrent.ConcurrentDictionary<int, bool> Threads { get; } = new();

        protected override void RunChunk(int chunk, int thread)
        {
            Interlocked.Increment(ref Runs[chunk]);
            Threads[thread] = true;
            Thread.SpinWait(2000);
        }
    }
}
