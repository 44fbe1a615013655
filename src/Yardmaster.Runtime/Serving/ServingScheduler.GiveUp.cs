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
        var doomed = model.Queue.Doomed(now, ServingPass.SheddingSlots(state));
        var any = false;
        foreach (var request in doomed)
        {
            var pending = (PendingRequest)request;
            if (!model.Queue.Remove(pending))
            {
                continue;
            }

            any = true;
            pending.TaskEntry.Admitted--;
            var refusal = new Refusal(
                503,
                "deadline_unmeetable",
                string.Create(CultureInfo.InvariantCulture, $"model '{model.Definition.Name}' cannot answer within the deadline: after {(now - pending.Arrival).TotalMilliseconds:0} ms queued, the requests of its class due before it need more of its {state.ReadySlots} slots than the class had left over the last 2 minutes, and this one, predicted to take {pending.Service.TotalMilliseconds:0} ms, is among the longest ({Occupancy(model)}, {model.Queue.Count} queued); allow a longer deadline, retry later, or add replicas"),
                TimeSpan.FromSeconds(5));
            pending.Completion.TrySetResult(refusal);
            Finish(pending, "refused", refusal);
            Log.Refused(_log, pending.Trace.RequestId, pending.Task, refusal.Code, refusal.Message);
        }

        if (any)
        {
            SamplePositions(model, now);
        }

        return any;
    }
}
