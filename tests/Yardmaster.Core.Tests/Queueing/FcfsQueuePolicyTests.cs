using Yardmaster.Core.Queueing;

namespace Yardmaster.Core.Tests.Queueing;

public sealed class FcfsQueuePolicyTests : RequestQueueContract
{
    protected override IQueuePolicy Policy { get; } = new FcfsQueuePolicy();

    [Fact]
    public void Dequeue_MixedClasses_ServesByArrivalOnly()
    {
        var queue = NewQueue();
        queue.Enqueue(Request(1, PriorityClass.Batch));
        queue.Enqueue(Request(2, PriorityClass.Critical));
        queue.Enqueue(Request(3, PriorityClass.Low));
        Assert.Equal([1, 2, 3], Drain(queue, T0));
    }

    [Fact]
    public void CountAhead_AnyClass_CountsEveryoneWaiting()
    {
        var queue = NewQueue();
        queue.Enqueue(Request(1, PriorityClass.Batch));
        queue.Enqueue(Request(2, PriorityClass.Low));
        Assert.Equal(2, queue.CountAhead(PriorityClass.Critical, "t"));
    }

    [Fact]
    public void Shed_CriticalNewcomerBehindBatch_NoneShedTheBaselineIgnoresClasses()
    {
        var queue = NewQueue();
        queue.Enqueue(Request(1, PriorityClass.Batch));
        queue.Enqueue(Request(2, PriorityClass.Batch));
        Assert.Null(queue.Shed(PriorityClass.Critical));
    }
}
