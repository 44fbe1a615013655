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
        task.WaitingCost += request.Cost;
        task.Weight = request.Weight;
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
            Leave(task, request);
        }

        task.Requests.Compact(task.Waiting);
    }

    /// <summary>
    /// Requests of the class that would be served before a newcomer of <paramref name="task"/> (with its
    /// <paramref name="weight"/>), were it enqueued now: its task's own waiting requests, and of every other backlogged task
    /// those served while the newcomer's task works its way up to it in virtual time (one, plus as many as the virtual time
    /// between the two times the other task's weight over its mean waiting cost; at most all it has).
    /// A task with little weight beside a long backlog of another thus waits behind a fair share of it, not all of it.
    /// </summary>
    public int CountAhead(string task, double weight)
    {
        _tasks.TryGetValue(task, out var own);
        var ownWaiting = own?.Waiting ?? 0;
        var start = own is { Waiting: > 0 } ? own.VirtualTime : Math.Max(own?.VirtualTime ?? 0, _virtualTime);
        var served = start + (ownWaiting > 0 ? own!.WaitingCost / weight : 0);
        var ahead = (long)ownWaiting;
        foreach (var other in _tasks.Values)
        {
            if (ReferenceEquals(other, own) || other.Waiting == 0 || other.VirtualTime > served)
            {
                continue;
            }

            var meanCost = Math.Max(other.WaitingCost / other.Waiting, double.Epsilon);
            var share = Math.Floor((served - other.VirtualTime) * other.Weight / meanCost) + 1; // a tie counts ahead
            ahead += (long)Math.Min(other.Waiting, share);
        }

        return (int)Math.Min(ahead, Count);
    }

    private void Charge(FairTask task, QueuedRequest request)
    {
        Leave(task, request);
        task.VirtualTime += request.Cost / request.Weight;
    }

    private void Leave(FairTask task, QueuedRequest request)
    {
        task.Waiting--;
        task.WaitingCost = task.Waiting == 0 ? 0 : Math.Max(0, task.WaitingCost - request.Cost);
        Count--;
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
