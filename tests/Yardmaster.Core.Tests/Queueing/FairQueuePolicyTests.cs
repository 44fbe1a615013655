using FsCheck;
using FsCheck.Fluent;
using Yardmaster.Core.Queueing;

namespace Yardmaster.Core.Tests.Queueing;

public sealed class FairQueuePolicyTests : RequestQueueContract
{
    protected override IQueuePolicy Policy { get; } = new FairQueuePolicy();

    public static TheoryData<PriorityClass[], long[]> ClassOrders => new()
    {
        { [PriorityClass.Batch, PriorityClass.Critical], [2, 1] },
        { [PriorityClass.Low, PriorityClass.Normal, PriorityClass.High], [3, 2, 1] },
        { [PriorityClass.Normal, PriorityClass.Batch, PriorityClass.Normal, PriorityClass.Critical], [4, 1, 3, 2] },
        { [PriorityClass.Batch, PriorityClass.Low, PriorityClass.Normal, PriorityClass.High, PriorityClass.Critical], [5, 4, 3, 2, 1] },
    };

    [Theory]
    [MemberData(nameof(ClassOrders))]
    public void Dequeue_MixedClasses_MostUrgentClassFirst(PriorityClass[] arrivals, long[] expected)
    {
        var queue = NewQueue();
        for (var i = 0; i < arrivals.Length; i++)
        {
            queue.Enqueue(Request(i + 1, arrivals[i], task: "t" + i));
        }

        Assert.Equal(expected, Drain(queue, T0));
    }

    [Theory]
    [InlineData(new double[] { 30, 10, 20 }, new long[] { 2, 3, 1 })]
    [InlineData(new double[] { 10, 10, 5 }, new long[] { 3, 1, 2 })]
    [InlineData(new double[] { 7, 7, 7 }, new long[] { 1, 2, 3 })]
    public void Dequeue_OneTask_EarliestDeadlineFirstTiesById(double[] deadlines, long[] expected)
    {
        var queue = NewQueue();
        for (var i = 0; i < deadlines.Length; i++)
        {
            queue.Enqueue(Request(i + 1, deadlineSeconds: deadlines[i]));
        }

        Assert.Equal(expected, Drain(queue, T0));
    }

    [Theory]
    [InlineData(2, 1, 1, 1, 200, 100)] // weights 2:1
    [InlineData(1, 1, 2, 1, 100, 200)] // same weight, the first task's requests cost twice as much
    [InlineData(3, 1, 1, 1, 225, 75)]
    public void Dequeue_TwoBackloggedTasks_ServiceSharedByWeightOverCost(double weightA, double weightB, double costA, double costB, int servedA, int servedB)
    {
        var queue = NewQueue();
        long id = 0;
        for (var i = 0; i < 1000; i++)
        {
            queue.Enqueue(Request(++id, task: "a", weight: weightA, cost: costA));
            queue.Enqueue(Request(++id, task: "b", weight: weightB, cost: costB));
        }

        var counts = new Dictionary<string, int> { ["a"] = 0, ["b"] = 0 };
        for (var i = 0; i < servedA + servedB; i++)
        {
            counts[queue.Dequeue(T0)!.Task]++;
        }

        Assert.InRange(counts["a"], servedA - 1, servedA + 1);
        Assert.InRange(counts["b"], servedB - 1, servedB + 1);
    }

    [Fact]
    public void Dequeue_TaskBackloggedAfterIdling_GetsNoBurstFromStoredCredit()
    {
        var queue = NewQueue();
        long id = 0;
        for (var i = 0; i < 200; i++)
        {
            queue.Enqueue(Request(++id, task: "busy"));
        }

        for (var i = 0; i < 100; i++)
        {
            Assert.Equal("busy", queue.Dequeue(T0)!.Task);
        }

        for (var i = 0; i < 10; i++)
        {
            queue.Enqueue(Request(++id, task: "idle"));
        }

        var idle = 0;
        for (var i = 0; i < 10; i++)
        {
            idle += queue.Dequeue(T0)!.Task == "idle" ? 1 : 0;
        }

        Assert.InRange(idle, 5, 6); // an even share, not ten in a row
    }

    [Fact]
    public void Dequeue_AgedRequests_ServedOldestFirstThenFairOrderResumes()
    {
        var queue = NewQueue();
        queue.Enqueue(Request(1, PriorityClass.Batch, task: "offline", arrivalSeconds: 0));
        queue.Enqueue(Request(2, PriorityClass.Low, task: "reports", arrivalSeconds: 5));
        queue.Enqueue(Request(3, PriorityClass.Critical, task: "chat", arrivalSeconds: 20));
        queue.Enqueue(Request(4, PriorityClass.High, task: "chat", arrivalSeconds: 21));

        Assert.Equal([1, 2, 3, 4], Drain(queue, T0.AddSeconds(35)));
    }

    [Fact]
    public void Dequeue_OldBatchNotYetAged_CriticalFirst()
    {
        var queue = NewQueue();
        queue.Enqueue(Request(1, PriorityClass.Batch, task: "offline", arrivalSeconds: 0));
        queue.Enqueue(Request(2, PriorityClass.Critical, task: "chat", arrivalSeconds: 10));
        Assert.Equal([2, 1], Drain(queue, T0 + MaxWait - TimeSpan.FromTicks(1)));
    }

    [Fact]
    public void Dequeue_AgedRequestServed_ChargedToItsTask()
    {
        var queue = NewQueue();
        queue.Enqueue(Request(1, task: "a", arrivalSeconds: 0));
        for (var i = 0; i < 4; i++)
        {
            queue.Enqueue(Request(2 + i, task: i % 2 == 0 ? "a" : "b", arrivalSeconds: 25));
        }

        Assert.Equal(1, queue.Dequeue(T0 + MaxWait)!.Id); // aged: a's time advances by 1
        Assert.Equal("b", queue.Dequeue(T0 + MaxWait)!.Task);
    }

    [Theory]
    [InlineData(PriorityClass.Critical, 1)]
    [InlineData(PriorityClass.High, 3)]
    [InlineData(PriorityClass.Normal, 3)]
    [InlineData(PriorityClass.Low, 6)]
    [InlineData(PriorityClass.Batch, 7)]
    public void CountAhead_WaitingOfEachClass_CountsSameOrMoreUrgent(PriorityClass priority, int expected)
    {
        var queue = NewQueue();
        PriorityClass[] waiting = [PriorityClass.Critical, PriorityClass.High, PriorityClass.High, PriorityClass.Low, PriorityClass.Low, PriorityClass.Low, PriorityClass.Batch, PriorityClass.Batch];
        var requests = waiting.Select((p, i) => Request(i + 1, p, task: "t" + (i % 3))).ToArray();
        foreach (var request in requests)
        {
            queue.Enqueue(request);
        }

        queue.Remove(requests[^1]);
        Assert.Equal(expected, queue.CountAhead(priority, "t0"));
    }

    [Theory]
    [InlineData(PriorityClass.Critical, 8L)]
    [InlineData(PriorityClass.High, 8L)]
    [InlineData(PriorityClass.Low, 8L)]
    [InlineData(PriorityClass.Batch, null)]
    public void Shed_FullOfMixedClasses_NewestOfTheLeastUrgentClassBelowTheNewcomer(PriorityClass incoming, long? expected)
    {
        var queue = NewQueue();
        PriorityClass[] waiting = [PriorityClass.Critical, PriorityClass.High, PriorityClass.Batch, PriorityClass.Low, PriorityClass.Batch, PriorityClass.Batch, PriorityClass.Normal, PriorityClass.Batch];
        var requests = waiting.Select((p, i) => Request(i + 1, p, task: "t" + (i % 3), arrivalSeconds: i)).ToArray();
        foreach (var request in requests)
        {
            queue.Enqueue(request);
        }

        var victim = queue.Shed(incoming);

        Assert.Equal(expected, victim?.Id);
        Assert.Equal(8, queue.Count); // shedding names the victim; the caller removes it
    }

    [Fact]
    public void Shed_LeastUrgentClassEmptiedByRemovals_NextLeastUrgentClass()
    {
        var queue = NewQueue();
        var low = Request(1, PriorityClass.Low, arrivalSeconds: 1);
        var batch = Request(2, PriorityClass.Batch, arrivalSeconds: 2);
        queue.Enqueue(low);
        queue.Enqueue(batch);
        queue.Enqueue(Request(3, PriorityClass.High, arrivalSeconds: 3));

        Assert.Same(batch, queue.Shed(PriorityClass.High));
        Assert.True(queue.Remove(batch));
        Assert.Same(low, queue.Shed(PriorityClass.High));
        Assert.True(queue.Remove(low));
        Assert.Null(queue.Shed(PriorityClass.High));
        Assert.Equal(3, queue.Shed(PriorityClass.Critical)!.Id);
    }

    [Fact]
    public void Remove_LastRequestOfTask_OtherTasksKeepTheirShare()
    {
        var queue = NewQueue();
        var lone = Request(1, task: "lone");
        queue.Enqueue(lone);
        queue.Enqueue(Request(2, task: "other"));
        queue.Enqueue(Request(3, task: "other"));
        Assert.True(queue.Remove(lone));
        Assert.Equal([2, 3], Drain(queue, T0));

        queue.Enqueue(Request(4, task: "lone"));
        Assert.Equal([4], Drain(queue, T0));
    }

    [Fact]
    public void Remove_RequestOfAnotherQueue_False()
    {
        var (mine, theirs) = (NewQueue(), NewQueue());
        var request = Request(1);
        theirs.Enqueue(request);
        Assert.False(mine.Remove(request));
        Assert.Equal(1, theirs.Count);
    }

    [Fact]
    public void Create_EveryName_ReturnsThePolicyOfThatName()
    {
        foreach (var name in QueuePolicies.Names)
        {
            Assert.Equal(name, QueuePolicies.Create(name)?.Name);
        }

        Assert.IsType<FairQueuePolicy>(QueuePolicies.Create(new Yardmaster.Core.Configuration.SchedulerSettings().Queue));
    }

    [Fact]
    public void Dequeue_PerClassBounds_BatchAgesLaterThanNormal()
    {
        // Normal ages at 30 s, batch at 5 min: a batch request that waited 1 min does not jump a newer
        // normal one, a normal request that waited 31 s jumps a newer high one, and a batch request that
        // waited 5 min jumps everything newer.
        var options = new QueueOptions(TimeSpan.FromSeconds(30)) { MaxWaitByClass = new Dictionary<PriorityClass, TimeSpan> { [PriorityClass.Batch] = TimeSpan.FromMinutes(5) } };
        var queue = Policy.CreateQueue(options);
        queue.Enqueue(Request(1, PriorityClass.Batch, arrivalSeconds: 0, task: "batch"));
        queue.Enqueue(Request(2, PriorityClass.Normal, arrivalSeconds: 29, task: "search"));
        queue.Enqueue(Request(3, PriorityClass.High, arrivalSeconds: 59, task: "chat"));
        Assert.Equal(2, queue.Dequeue(T0.AddSeconds(60))!.Id);
        Assert.Equal(3, queue.Dequeue(T0.AddSeconds(60))!.Id);

        queue.Enqueue(Request(4, PriorityClass.Critical, arrivalSeconds: 299, task: "alert"));
        Assert.Equal(1, queue.Dequeue(T0.AddSeconds(300))!.Id);
        Assert.Equal(4, queue.Dequeue(T0.AddSeconds(300))!.Id);
    }

    [Fact]
    public void CountAhead_WeightedTaskBesideALongBacklog_WaitsBehindItsShareNotTheWholeBacklog()
    {
        var queue = NewQueue();
        for (var i = 0; i < 100; i++)
        {
            queue.Enqueue(Request(i + 1, task: "bulk"));
        }

        Assert.Equal(1, queue.CountAhead(PriorityClass.Normal, "chat")); // a tie of virtual times: bulk's head goes first
        queue.Enqueue(Request(101, task: "search", weight: 3));
        queue.Enqueue(Request(102, task: "search", weight: 3));
        queue.Enqueue(Request(103, task: "search", weight: 3));

        // search's three take it to virtual time 1, by which bulk (weight 1) has been served twice.
        Assert.Equal(5, queue.CountAhead(PriorityClass.Normal, "search", 3));
        queue.Enqueue(Request(104, task: "search", weight: 3));
        Assert.Equal(5, Drain(queue, T0).IndexOf(104));
    }

    [Fact]
    public void CountAhead_AnyBacklogOfWeightedTasks_IsWhereTheNewcomerIsServed()
    {
        // Equal costs within a task (its mean is then exact): the count is the newcomer's place when drained, but for ties
        // of virtual time, each of which it counts ahead and the queue may break either way.
        var property = Prop.ForAll(ArbMap.Default.ArbFor<int[]>(), ops =>
        {
            var queue = NewQueue();
            string[] tasks = ["a", "b", "c"];
            double[] weights = [1, 2, 3];
            double[] costs = [1, 2, 5];
            long id = 0;
            foreach (var op in ops.Take(60))
            {
                var x = op & int.MaxValue;
                if (x % 4 == 0)
                {
                    queue.Dequeue(T0);
                }
                else
                {
                    var t = x % 3;
                    queue.Enqueue(Request(++id, task: tasks[t], weight: weights[t], cost: costs[t]));
                }
            }

            var who = ops.Length % 3;
            var predicted = queue.CountAhead(PriorityClass.Normal, tasks[who], weights[who]);
            queue.Enqueue(Request(++id, task: tasks[who], weight: weights[who], cost: costs[who]));
            var actual = Drain(queue, T0).IndexOf(id);
            Assert.InRange(predicted, actual, actual + 2);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), property);
    }
}
