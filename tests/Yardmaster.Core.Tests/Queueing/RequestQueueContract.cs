using FsCheck;
using FsCheck.Fluent;
using Yardmaster.Core.Queueing;

namespace Yardmaster.Core.Tests.Queueing;

/// <summary>What every <see cref="IRequestQueue"/> must do, whatever its ordering; one subclass per policy.</summary>
public abstract class RequestQueueContract
{
    protected static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    protected static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    private static readonly Config _properties = Config.QuickThrowOnFailure.WithMaxTest(300);

    protected abstract IQueuePolicy Policy { get; }

    protected IRequestQueue NewQueue(TimeSpan? maxWait = null) => Policy.CreateQueue(new QueueOptions(maxWait ?? MaxWait));

    protected static QueuedRequest Request(
        long id,
        PriorityClass priority = PriorityClass.Normal,
        string task = "a",
        double weight = 1,
        double arrivalSeconds = 0,
        double deadlineSeconds = 60,
        double cost = 1) => new()
        {
            Id = id,
            Task = task,
            Priority = priority,
            Weight = weight,
            Arrival = T0.AddSeconds(arrivalSeconds),
            Deadline = T0.AddSeconds(deadlineSeconds),
            Cost = cost,
        };

    protected static List<long> Drain(IRequestQueue queue, DateTimeOffset now)
    {
        var ids = new List<long>();
        while (queue.Dequeue(now) is { } next)
        {
            ids.Add(next.Id);
        }

        return ids;
    }

    [Fact]
    public void Dequeue_Empty_ReturnsNull()
    {
        var queue = NewQueue();
        Assert.Null(queue.Dequeue(T0));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void Dequeue_OneRequest_ReturnsTheSameInstanceOnce()
    {
        var queue = NewQueue();
        var request = Request(1);
        queue.Enqueue(request);
        Assert.Equal(1, queue.Count);
        Assert.Same(request, queue.Dequeue(T0));
        Assert.Equal(0, queue.Count);
        Assert.Null(queue.Dequeue(T0));
    }

    [Fact]
    public void Doomed_EveryDeadlineCanBeMet_GivesUpNothing()
    {
        // Ten requests of 1 s each on one slot, due 20 s from now: all fit, whatever the order.
        var queue = NewQueue();
        for (var id = 1; id <= 10; id++)
        {
            var request = Request(id, priority: PriorityClass.Batch, deadlineSeconds: 20);
            request.Service = TimeSpan.FromSeconds(1);
            queue.Enqueue(request);
        }

        Assert.Empty(queue.Doomed(T0, slots: 1));
        Assert.Equal(10, queue.Count);
    }

    [Fact]
    public void Dequeue_SameClassTaskAndDeadline_ServesInArrivalOrder()
    {
        var queue = NewQueue();
        for (var id = 1; id <= 5; id++)
        {
            queue.Enqueue(Request(id, arrivalSeconds: id));
        }

        Assert.Equal([1, 2, 3, 4, 5], Drain(queue, T0.AddSeconds(6)));
    }

    [Fact]
    public void Enqueue_AlreadyQueued_Throws()
    {
        var queue = NewQueue();
        var request = Request(1);
        queue.Enqueue(request);
        Assert.Throws<ArgumentException>(() => queue.Enqueue(request));
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public void Remove_Queued_TrueAndNeverServed()
    {
        var queue = NewQueue();
        var (a, b, c) = (Request(1), Request(2), Request(3));
        queue.Enqueue(a);
        queue.Enqueue(b);
        queue.Enqueue(c);
        Assert.True(queue.Remove(b));
        Assert.Equal(2, queue.Count);
        Assert.Equal([1, 3], Drain(queue, T0));
    }

    [Fact]
    public void Remove_NotQueued_False()
    {
        var queue = NewQueue();
        var served = Request(1);
        var removed = Request(2);
        queue.Enqueue(served);
        queue.Enqueue(removed);
        Assert.True(queue.Remove(removed));
        Assert.Same(served, queue.Dequeue(T0));

        Assert.False(queue.Remove(served));
        Assert.False(queue.Remove(removed));
        Assert.False(queue.Remove(Request(3)));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void Enqueue_AfterRemove_ServedExactlyOnce()
    {
        var queue = NewQueue();
        var request = Request(1);
        queue.Enqueue(request);
        queue.Remove(request);
        queue.Enqueue(request);
        Assert.Equal([1], Drain(queue, T0));
    }

    [Fact]
    public void Dequeue_AgedBatchRequest_ServedBeforeNewerCritical()
    {
        var queue = NewQueue();
        queue.Enqueue(Request(1, PriorityClass.Batch, task: "offline", arrivalSeconds: 0));
        queue.Enqueue(Request(2, PriorityClass.Critical, task: "chat", arrivalSeconds: 10));
        queue.Enqueue(Request(3, PriorityClass.Critical, task: "chat", arrivalSeconds: 20));

        Assert.Equal(1, queue.Dequeue(T0 + MaxWait)?.Id);
    }

    [Fact]
    public void CountAhead_Batch_CountsEveryoneWaiting()
    {
        var queue = NewQueue();
        var id = 0;
        foreach (var priority in PriorityClasses.All)
        {
            queue.Enqueue(Request(++id, priority));
        }

        queue.Remove(Request(99));
        Assert.Equal(5, queue.CountAhead(PriorityClass.Batch, "t"));
    }

    [Fact]
    public void MostUrgent_AsRequestsComeAndGo_TheMostUrgentClassWaiting()
    {
        var queue = NewQueue();
        Assert.Null(queue.MostUrgent);
        var high = Request(3, PriorityClass.High);
        queue.Enqueue(Request(1, PriorityClass.Batch));
        queue.Enqueue(Request(2, PriorityClass.Low));
        queue.Enqueue(high);
        Assert.Equal(PriorityClass.High, queue.MostUrgent);
        queue.Remove(high);
        Assert.Equal(PriorityClass.Low, queue.MostUrgent);
        Drain(queue, T0);
        Assert.Null(queue.MostUrgent);
    }

    [Fact]
    public void Operations_AnySequence_EveryRequestServedOnceAndCountConsistentAndPeekShowsTheNext()
    {
        var property = Prop.ForAll(ArbMap.Default.ArbFor<int[]>(), ops =>
        {
            var queue = NewQueue(TimeSpan.FromSeconds(5));
            var waiting = new List<QueuedRequest>();
            var left = new HashSet<long>();
            var now = 0;
            long nextId = 0;
            foreach (var op in ops)
            {
                var x = op & int.MaxValue;
                switch (x % 10)
                {
                    case < 6:
                        var request = NewRequest(++nextId, x / 10, now);
                        queue.Enqueue(request);
                        waiting.Add(request);
                        break;
                    case < 8:
                        var peeked = queue.Peek(T0.AddSeconds(now));
                        var next = queue.Dequeue(T0.AddSeconds(now));
                        Assert.Same(peeked, next); // what Peek shows is what Dequeue takes
                        Assert.Equal(waiting.Count == 0, next is null);
                        if (next is not null)
                        {
                            Assert.True(waiting.Remove(next), $"request {next.Id} served twice or never queued");
                            Assert.True(left.Add(next.Id));
                        }

                        break;
                    case 8:
                        queue.Peek(T0.AddSeconds(now)); // a look changes nothing that follows
                        var all = (int)nextId;
                        if (all > 0)
                        {
                            var id = 1 + (x / 10 % all);
                            var target = waiting.Find(r => r.Id == id);
                            Assert.Equal(target is not null, queue.Remove(target ?? Request(id)));
                            if (target is not null)
                            {
                                waiting.Remove(target);
                                Assert.True(left.Add(id));
                            }
                        }

                        break;
                    default:
                        now += x / 10 % 4;
                        break;
                }

                Assert.Equal(waiting.Count, queue.Count);
                Assert.Equal(waiting.Count == 0 ? null : waiting.Min(r => r.Priority), queue.MostUrgent);
            }

            foreach (var id in Drain(queue, T0.AddSeconds(now)))
            {
                Assert.True(left.Add(id), $"request {id} left twice");
            }

            Assert.Equal(nextId, left.Count);
            Assert.Equal(0, queue.Count);
        });
        Check.One(_properties, property);
    }

    [Fact]
    public void Dequeue_OneServicePerSecond_NoRequestWaitsBeyondMaxWaitPlusTheOlderOnesService()
    {
        var property = Prop.ForAll(ArbMap.Default.ArbFor<int[]>(), arrivalsPerTick =>
        {
            const int maxWait = 5;
            var queue = NewQueue(TimeSpan.FromSeconds(maxWait));
            var waiting = new SortedDictionary<long, QueuedRequest>();
            var bound = new Dictionary<long, int>();
            long nextId = 0;
            var tick = 0;
            for (; tick < arrivalsPerTick.Length || waiting.Count > 0; tick++)
            {
                var arrivals = tick < arrivalsPerTick.Length ? (arrivalsPerTick[tick] & int.MaxValue) % 3 : 0;
                for (var i = 0; i < arrivals; i++)
                {
                    var request = NewRequest(++nextId, (arrivalsPerTick[tick] & int.MaxValue) >> (i * 4), tick);
                    queue.Enqueue(request);
                    waiting.Add(request.Id, request);
                }

                // A request that ages now waits at most one service per older request still queued.
                var older = 0;
                foreach (var request in waiting.Values)
                {
                    if ((int)(request.Arrival - T0).TotalSeconds + maxWait == tick)
                    {
                        bound[request.Id] = tick + older;
                    }

                    older++;
                }

                if (queue.Dequeue(T0.AddSeconds(tick)) is not { } served)
                {
                    Assert.Empty(waiting);
                    continue;
                }

                waiting.Remove(served.Id);
                if (bound.TryGetValue(served.Id, out var latest))
                {
                    Assert.True(tick <= latest, $"request {served.Id} served at {tick}, bound {latest}");
                }
                else
                {
                    Assert.True(tick - (served.Arrival - T0).TotalSeconds <= maxWait, $"request {served.Id} waited beyond MaxWait without a bound");
                }
            }
        });
        Check.One(_properties, property);
    }

    private static QueuedRequest NewRequest(long id, int seed, int nowSeconds)
    {
        var task = seed % 4;
        return Request(
            id,
            (PriorityClass)(seed / 4 % 5),
            task: "t" + task,
            weight: 1 + task,
            arrivalSeconds: nowSeconds,
            deadlineSeconds: nowSeconds + (seed / 20 % 50),
            cost: 1 + (seed / 1000 % 3));
    }
}
