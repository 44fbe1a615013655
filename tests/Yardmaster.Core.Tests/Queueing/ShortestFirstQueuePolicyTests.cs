using Yardmaster.Core.Queueing;

namespace Yardmaster.Core.Tests.Queueing;

public sealed class ShortestFirstQueuePolicyTests : RequestQueueContract
{
    protected override IQueuePolicy Policy { get; } = new ShortestFirstQueuePolicy();

    private static QueuedRequest Sized(long id, double seconds, PriorityClass priority = PriorityClass.Normal, double arrivalSeconds = 0) => new()
    {
        Id = id, Task = "t", Priority = priority, Arrival = T0.AddSeconds(arrivalSeconds), Deadline = T0.AddMinutes(10), Service = TimeSpan.FromSeconds(seconds),
    };

    [Theory]
    [InlineData(new double[] { 5, 1, 3 }, new long[] { 2, 3, 1 })]
    [InlineData(new double[] { 2, 2, 1 }, new long[] { 3, 1, 2 })]
    [InlineData(new double[] { 0, 0, 0 }, new long[] { 1, 2, 3 })]
    public void Dequeue_OneTask_LeastPredictedServiceFirstTiesById(double[] seconds, long[] expected)
    {
        var queue = NewQueue();
        for (var i = 0; i < seconds.Length; i++)
        {
            queue.Enqueue(Sized(i + 1, seconds[i]));
        }

        Assert.Equal(expected, Drain(queue, T0));
    }

    [Fact]
    public void Dequeue_ShortBatchAndLongHigh_ClassStillFirst()
    {
        var queue = NewQueue();
        queue.Enqueue(Sized(1, 0.1, PriorityClass.Batch));
        queue.Enqueue(Sized(2, 9, PriorityClass.High));
        Assert.Equal([2, 1], Drain(queue, T0));
    }

    [Fact]
    public void Dequeue_LongRequestWaitedItsAgingBound_ServedBeforeShorterLaterOnes()
    {
        var queue = NewQueue(maxWait: TimeSpan.FromSeconds(30));
        queue.Enqueue(Sized(1, 60, arrivalSeconds: 0));
        for (var i = 2; i <= 5; i++)
        {
            queue.Enqueue(Sized(i, 1, arrivalSeconds: i));
        }

        Assert.Equal(2, queue.Dequeue(T0.AddSeconds(10))!.Id);
        Assert.Equal(1, queue.Dequeue(T0.AddSeconds(31))!.Id); // never starved: aging serves it
    }

    [Fact]
    public void Shed_FullQueue_LongestOfTheLeastUrgentClass()
    {
        var queue = NewQueue();
        queue.Enqueue(Sized(1, 1, PriorityClass.Batch));
        queue.Enqueue(Sized(2, 8, PriorityClass.Batch));
        queue.Enqueue(Sized(3, 2, PriorityClass.Batch));
        queue.Enqueue(Sized(4, 50, PriorityClass.Low));
        Assert.Equal(2, queue.Shed(PriorityClass.High)!.Id);
        Assert.Null(queue.Shed(PriorityClass.Batch));
    }
}
