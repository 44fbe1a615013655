using Yardmaster.Core.Queueing;

namespace Yardmaster.Core.Tests.Queueing;

public sealed class DeadlineSheddingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static QueuedRequest Request(long id, double serviceSeconds, double deadlineSeconds, PriorityClass priority = PriorityClass.Batch, string task = "a") => new()
    {
        Id = id,
        Task = task,
        Priority = priority,
        Arrival = T0,
        Deadline = T0.AddSeconds(deadlineSeconds),
        Service = TimeSpan.FromSeconds(serviceSeconds),
    };

    private static IRequestQueue Fair(params QueuedRequest[] requests)
    {
        var queue = new FairQueuePolicy().CreateQueue(new QueueOptions(TimeSpan.FromMinutes(10)));
        foreach (var request in requests)
        {
            queue.Enqueue(request);
        }

        return queue;
    }

    [Fact]
    public void Doomed_MooreHodgsonExample_GivesUpTheLongestAheadOfEachMiss()
    {
        // One slot. In deadline order: 1 (4 s, due 6), 2 (3 s, due 7): 7 s of work by 7, fits; 3 (2 s, due 8): 9 > 8, the
        // longest so far (1) goes; 4 (5 s, due 9): 3 + 2 + 5 = 10 > 9, the longest (4 itself) goes.
        var doomed = DeadlineShedding.Doomed([Request(3, 2, 8), Request(1, 4, 6), Request(4, 5, 9), Request(2, 3, 7)], T0, slots: 1);

        Assert.Equal([1, 4], doomed.Select(r => r.Id));
    }

    [Fact]
    public void Doomed_MoreSlots_FitMore()
    {
        // The same four on two slots: 14 s of work, 7 s per slot by 9: all fit.
        Assert.Empty(DeadlineShedding.Doomed([Request(3, 2, 8), Request(1, 4, 6), Request(4, 5, 9), Request(2, 3, 7)], T0, slots: 2));
    }

    [Fact]
    public void Doomed_UnknownServiceOrPassedDeadline_NeverGivenUp()
    {
        // No predicted service yet (the model has not learned its rates): nothing to judge by. A passed deadline: the wait's
        // own timer answers it (504), not this.
        var doomed = DeadlineShedding.Doomed([Request(1, 0, 1), Request(2, 0, 1), Request(3, 5, -1), Request(4, 5, 10)], T0, slots: 1);

        Assert.Empty(doomed);
    }

    [Fact]
    public void Doomed_FairQueue_CountsOnlyWhatMoreUrgentClassesLeft()
    {
        // Two slots. Over the last two minutes the high class was dequeued for 180 s of service: 1.5 slots; batch has 0.5
        // left, so of three 10 s batch requests due in 30 s (30 s of work, 15 s possible) two are given up (the newest of equals
        // first); the high class's own request is not.
        var queue = Fair();
        for (var id = 1; id <= 6; id++)
        {
            var chat = Request(100 + id, 30, 1000, PriorityClass.High, "chat");
            queue.Enqueue(chat);
            Assert.Same(chat, queue.Dequeue(T0.AddSeconds(id * 10)));
        }

        var now = T0.AddSeconds(70);
        var batch = new[] { Request(1, 10, 100), Request(2, 10, 100), Request(3, 10, 100) };
        foreach (var request in batch)
        {
            queue.Enqueue(request);
        }

        queue.Enqueue(Request(200, 5, 80, PriorityClass.High, "chat"));

        var doomed = queue.Doomed(now, slots: 2);

        Assert.Equal([2, 3], doomed.Select(r => r.Id));
        Assert.Equal(4, queue.Count); // the caller removes them
    }

    [Fact]
    public void Doomed_FairQueue_MoreUrgentServiceOlderThanTwoMinutes_NoLongerCounted()
    {
        // The same 180 s of high-class service, dequeued 10 to 60 s after T0; at 200 s it is all over two minutes old, so
        // batch has both slots: 30 s of work on 2 slots fits in 30 s.
        var queue = Fair();
        for (var id = 1; id <= 6; id++)
        {
            queue.Enqueue(Request(100 + id, 30, 1000, PriorityClass.High, "chat"));
            Assert.NotNull(queue.Dequeue(T0.AddSeconds(id * 10)));
        }

        var now = T0.AddSeconds(200);
        foreach (var id in new[] { 1, 2, 3 })
        {
            queue.Enqueue(Request(id, 10, 230));
        }

        Assert.Empty(queue.Doomed(now, slots: 2));
        Assert.Equal([3], queue.Doomed(now.AddSeconds(16), slots: 2).Select(r => r.Id)); // 14 s left: 30 s on 2 slots no longer fits
    }

    [Fact]
    public void Doomed_FairQueue_LooksAgainOnlyAfterASecond()
    {
        var queue = Fair(Request(1, 10, 5), Request(2, 1, 5));

        Assert.Equal([1], queue.Doomed(T0, slots: 1).Select(r => r.Id));
        Assert.Empty(queue.Doomed(T0.AddMilliseconds(999), slots: 1));
        Assert.Equal([1], queue.Doomed(T0.AddSeconds(1), slots: 1).Select(r => r.Id));
    }

    [Fact]
    public void Doomed_NoSlots_GivesUpNothing()
    {
        // A model with no ready replica, or one that may still add one (ServingPass.SheddingSlots): nothing to count on yet.
        Assert.Empty(Fair(Request(1, 100, 5)).Doomed(T0, slots: 0));
    }
}
