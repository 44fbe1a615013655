using System.Globalization;
using Yardmaster.Core.Serving;

namespace Yardmaster.Runtime.Serving;

public sealed partial class ServingScheduler
{
    /// <summary>
    /// Refuses now, with a 503, the queued requests the model's queue gives up (<see cref="Core.Queueing.IRequestQueue.Doomed"/>:
    /// those that cannot all meet their deadlines on the slots their class has left, the longest first), rather than let
    /// them wait until their deadline and time out. True when it refused any.
    /// </summary>
    private bool GiveUpDoomed(ModelEntry model, ModelState state, DateTimeOffset now)
    {
        var any = false;
        foreach (var request in model.Queue.Doomed(now, ServingPass.SheddingSlots(state)))
        {
            var pending = (PendingRequest)request;
            any |= RefuseQueued(model, pending, new Refusal(
                503,
                "deadline_unmeetable",
                string.Create(CultureInfo.InvariantCulture, $"model '{model.Definition.Name}' cannot answer within the deadline: after {(now - pending.Arrival).TotalMilliseconds:0} ms queued, the requests of its class due before it need more of its {state.ReadySlots} slots than the class had left over the last 2 minutes, and this one, predicted to take {pending.Service.TotalMilliseconds:0} ms, is among the longest ({Occupancy(model)}, {model.Queue.Count - 1} others queued); allow a longer deadline, retry later, or add replicas"),
                TimeSpan.FromSeconds(5)));
        }

        if (any)
        {
            SamplePositions(model, now);
        }

        return any;
    }

    /// <summary>
    /// Takes a queued request out of its model's queue and answers it with <paramref name="refusal"/> (shed for a more
    /// urgent newcomer, or given up); false, and nothing done, when it is no longer queued.
    /// </summary>
    private bool RefuseQueued(ModelEntry model, PendingRequest pending, Refusal refusal)
    {
        if (!model.Queue.Remove(pending))
        {
            return false;
        }

        pending.TaskEntry.Admitted--;
        pending.Completion.TrySetResult(refusal);
        Finish(pending, "refused", refusal);
        Log.Refused(_log, pending.Trace.RequestId, pending.Task, refusal.Code, refusal.Message);
        return true;
    }
}
