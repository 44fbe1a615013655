using Yardmaster.Core.Queueing;
using Yardmaster.PolicySim.Reporting;
using Yardmaster.PolicySim.Traces;

namespace Yardmaster.PolicySim.Queueing;

/// <summary>
/// A discrete-event simulation of one model's request queue: arrivals from the trace, a fixed number
/// of slots, and the policy's <see cref="IRequestQueue"/> deciding who goes next whenever a slot frees.
/// A request still queued at its deadline is removed (<see cref="IRequestQueue.Remove"/>), as the
/// server times it out with a 504; a dispatched request always runs to the end. No admission control.
/// </summary>
internal static class QueueSimulation
{
    /// <param name="policy">The queue ordering under test.</param>
    /// <param name="trace">The requests, in time order.</param>
    /// <param name="epoch">Simulated time of offset zero.</param>
    /// <param name="timeScale">Arrival offsets are multiplied by this (below 1 compresses the trace).</param>
    /// <param name="tasks">The tasks requests are assigned to.</param>
    /// <param name="model">Slots, service times and the aging bound.</param>
    public static IReadOnlyList<TaskOutcome> Run(
        IQueuePolicy policy, IReadOnlyList<ConvRequest> trace, DateTimeOffset epoch, double timeScale, IReadOnlyList<SimTask> tasks, ServiceModel model)
    {
        var requests = trace.Select((r, i) =>
        {
            var task = SimTask.Assign(tasks, r.Row);
            var arrival = epoch + (r.Offset * timeScale);
            return new SimRequest
            {
                Id = i + 1,
                Task = tasks[task].Name,
                Priority = tasks[task].Priority,
                Arrival = arrival,
                Deadline = arrival + tasks[task].Slo,
                Cost = Math.Max(1, r.GeneratedTokens), // the gateway charges max_tokens; the trace's generated count stands in for it
                TaskIndex = task,
                Service = model.Service(r.ContextTokens, r.GeneratedTokens),
            };
        }).ToList();

        Replay(policy.CreateQueue(model.Aging), requests, model.Slots);
        return [.. tasks.Select((t, i) => Summarize(t, [.. requests.Where(r => r.TaskIndex == i)], model.Aging.MaxWaitFor(t.Priority)))];
    }

    private static void Replay(IRequestQueue queue, List<SimRequest> requests, int slots)
    {
        var finishing = new PriorityQueue<SimRequest, DateTimeOffset>();
        var deadlines = new PriorityQueue<SimRequest, (DateTimeOffset, long)>();
        var free = slots;
        var next = 0;
        while (next < requests.Count || finishing.Count > 0)
        {
            var now = next < requests.Count ? requests[next].Arrival : DateTimeOffset.MaxValue;
            if (finishing.TryPeek(out _, out var end) && end < now)
            {
                now = end;
            }

            while (finishing.TryPeek(out _, out end) && end <= now)
            {
                finishing.Dequeue();
                free++;
            }

            for (; next < requests.Count && requests[next].Arrival <= now; next++)
            {
                queue.Enqueue(requests[next]);
                deadlines.Enqueue(requests[next], (requests[next].Deadline, requests[next].Id));
            }

            // Between events nothing is dispatched, so removing expired requests at the next event is exact.
            while (deadlines.TryPeek(out var waiting, out var due) && due.Item1 <= now)
            {
                deadlines.Dequeue();
                if (waiting.Queued && queue.Remove(waiting))
                {
                    waiting.Expired = true;
                }
            }

            while (free > 0 && queue.Dequeue(now) is SimRequest chosen)
            {
                chosen.Start = now;
                finishing.Enqueue(chosen, now + chosen.Service);
                free--;
            }
        }

        if (queue.Count != 0)
        {
            throw new InvalidOperationException($"{queue.Count} requests left in the queue after the replay.");
        }
    }

    private static TaskOutcome Summarize(SimTask task, List<SimRequest> requests, TimeSpan maxWait)
    {
        var served = requests.Where(r => r.Start is not null).ToList();
        var waits = served.Select(r => (r.Start!.Value - r.Arrival).TotalSeconds).Order().ToList();
        return new TaskOutcome(
            task,
            requests.Count,
            served.Count,
            requests.Count(r => r.Expired),
            served.Count(r => r.Start!.Value + r.Service <= r.Deadline),
            requests.Count(r => r.Service <= task.Slo),
            Percentiles.Of(waits, 50),
            Percentiles.Of(waits, 95),
            Percentiles.Of(waits, 99),
            waits.Count == 0 ? double.NaN : waits[^1],
            waits.Count(w => w > maxWait.TotalSeconds));
    }
}
