using System.Runtime.InteropServices;

namespace Yardmaster.Core.Queueing;

/// <summary>
/// The requests of one priority class in a <see cref="FairQueue"/>: start-time fair queuing between
/// tasks, earliest deadline first within a task (or, with <paramref name="shortestFirst"/>, least
/// predicted service first, <see cref="QueuedRequest.Service"/>). Not thread-safe.
/// </summary>
/// <remarks>
/// Each task has a virtual time; the backlogged task with the smallest one is served and its time
/// advances by the request's cost ÷ weight, so over time tasks receive service in proportion to
/// their weights. The class's virtual time is that of the task last served; a task that becomes
/// backlogged after idling starts no earlier than it, so idling stores no credit.
/// Invariant: every key in <see cref="_backlogged"/> is at least <see cref="_virtualTime"/>, which is
/// why a task left in the heap with no live request keeps a valid key when requests arrive again.
/// </remarks>
internal sealed class FairClassQueue(bool shortestFirst = false)
{
    private readonly Dictionary<string, FairTask> _tasks = new(StringComparer.Ordinal);
    private readonly PriorityQueue<FairTask, (double VirtualTime, long Sequence)> _backlogged = new();
    private double _virtualTime;
    private long _sequence;

    /// <summary>Live requests in the class.</summary>
    public int Count { get; private set; }

    public void Enqueue(QueuedRequest request)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_tasks, request.Task, out _);
        var task = slot ??= new FairTask(this);
        task.Requests.Push(request, (shortestFirst ? request.Service.Ticks : request.Deadline.UtcTicks, request.Id));
        task.Waiting++;
        Count++;
        request.QueueSlot = task;
        if (!task.Scheduled)
        {
            task.VirtualTime = Math.Max(task.VirtualTime, _virtualTime);
            Schedule(task);
        }
    }

    /// <summary>Takes the next request by fair share then deadline, or null when the class is empty.</summary>
    public QueuedRequest? Dequeue()
    {
        while (_backlogged.TryDequeue(out var task, out var key))
        {
            if (task.Waiting == 0)
            {
                Unschedule(task);
                continue;
            }

            if (key.VirtualTime != task.VirtualTime)
            {
                Schedule(task); // charged for an aged request since it was keyed
                continue;
            }

            _virtualTime = Math.Max(_virtualTime, task.VirtualTime);
            var request = task.Requests.PeekLive()!; // Waiting > 0 guarantees one
            task.Requests.Pop();
            Charge(task, request);
            if (task.Waiting > 0)
            {
                Schedule(task);
            }
            else
            {
                Unschedule(task);
            }

            return request;
        }

        return null;
    }

    /// <summary>The request <see cref="Dequeue"/> would take, left queued; null when the class is empty. Tidies stale keys as <see cref="Dequeue"/> would.</summary>
    public QueuedRequest? Peek()
    {
        while (_backlogged.TryPeek(out var task, out var key))
        {
            if (task.Waiting == 0)
            {
                _backlogged.Dequeue();
                Unschedule(task);
                continue;
            }

            if (key.VirtualTime != task.VirtualTime)
            {
                _backlogged.Dequeue();
                Schedule(task);
                continue;
            }

            return task.Requests.PeekLive();
        }

        return null;
    }

    /// <summary>
    /// Accounts for a request of this class that left other than by <see cref="Dequeue"/>: removed, or
    /// served out of turn by aging (<paramref name="served"/>, charged to its task like any service).
    /// </summary>
    public void Forget(FairTask task, QueuedRequest request, bool served)
    {
        if (served)
        {
            Charge(task, request);
        }
        else
        {
            task.Waiting--;
            Count--;
        }

        task.Requests.Compact(task.Waiting);
    }

    private void Charge(FairTask task, QueuedRequest request)
    {
        task.Waiting--;
        Count--;
        task.VirtualTime += request.Cost / request.Weight;
    }

    private void Schedule(FairTask task)
    {
        task.Scheduled = true;
        _backlogged.Enqueue(task, (task.VirtualTime, _sequence++));
    }

    private static void Unschedule(FairTask task)
    {
        task.Scheduled = false;
        task.Requests.Clear(); // only stale entries are left
    }
}
