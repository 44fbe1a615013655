using System.Globalization;
using System.Text;
using Yardmaster.Core;
using Yardmaster.Core.Models;

namespace Yardmaster.Runtime.Serving;

/// <summary>
/// Why a request was served as it was, or refused: the candidates considered and the verdict on each, the model
/// chosen and why, the memory it waited for (and who held it), the load it waited for (and what was evicted), its
/// queue position over time, its dispatch and its outcome. Built by the scheduler; immutable.
/// </summary>
/// <param name="RequestId">The request's id (<c>X-Request-Id</c>).</param>
/// <param name="Task">Its task.</param>
/// <param name="Priority">Its class.</param>
/// <param name="Arrival">When the scheduler first saw it.</param>
/// <param name="Attempts">Tries (a retry after a replica failed before answering is a new attempt of the same trace).</param>
/// <param name="Candidates">The verdict on each candidate of the last attempt, in declared order.</param>
/// <param name="Model">The model chosen; null when refused before one was.</param>
/// <param name="Reason">Why that model (e.g. "only ready model"); null when none was chosen.</param>
/// <param name="PredictedStart">The wait predicted when it was admitted; null when not admitted.</param>
/// <param name="MemoryWaits">Times it waited because memory was held (bounded).</param>
/// <param name="Load">The load it waited for; null when a replica was ready.</param>
/// <param name="Queue">Its queue position over time: at enqueue and at each change (bounded).</param>
/// <param name="Dispatch">Where and when it got a slot; null when it never did.</param>
/// <param name="Outcome">queued, running, completed, failed, refused or cancelled.</param>
/// <param name="Refusal">Why it was refused, when it was.</param>
/// <param name="Finished">When it ended; null while live.</param>
/// <param name="Earlier">The summaries of earlier attempts.</param>
public sealed record DecisionTrace(
    string RequestId,
    string Task,
    PriorityClass Priority,
    DateTimeOffset Arrival,
    int Attempts,
    IReadOnlyList<CandidateVerdict> Candidates,
    string? Model,
    string? Reason,
    TimeSpan? PredictedStart,
    IReadOnlyList<MemoryWait> MemoryWaits,
    TraceLoad? Load,
    IReadOnlyList<QueueSample> Queue,
    TraceDispatch? Dispatch,
    string Outcome,
    Refusal? Refusal,
    DateTimeOffset? Finished,
    IReadOnlyList<string> Earlier)
{
    /// <summary>
    /// One line for the access log, e.g. "chose tiny (only ready model); waited 1200 ms for load of tiny after
    /// evicting small". Computed on each read.
    /// </summary>
    public string Summary
    {
        get
        {
            var line = new StringBuilder();
            if (Model is not null)
            {
                line.Append(CultureInfo.InvariantCulture, $"chose {Model} ({Reason})");
            }

            if (MemoryWaits.Count > 0)
            {
                Separate(line).Append("waited for memory: ").Append(MemoryWaits[^1].Words);
            }

            if (Dispatch is { } d)
            {
                if (Load is { Cold: true } load)
                {
                    Separate(line).Append(CultureInfo.InvariantCulture, $"waited {d.QueueTime.TotalMilliseconds:0} ms for load of {load.Model}");
                    if (load.Evicted.Count > 0)
                    {
                        line.Append(" after evicting ").AppendJoin(", ", load.Evicted.Select(e => e.Model));
                    }
                }
                else
                {
                    Separate(line).Append(CultureInfo.InvariantCulture, $"queued {d.QueueTime.TotalMilliseconds:0} ms");
                }

                line.Append(CultureInfo.InvariantCulture, $"; replica {d.Replica} ({d.Device})");
                if (d.Preempting)
                {
                    line.Append(", taking a less urgent request's slot");
                }
            }

            if (Refusal is { } r)
            {
                Separate(line).Append(CultureInfo.InvariantCulture, $"refused ({r.Code}): {r.Message}");
            }
            else if (Outcome is not ("completed" or "running"))
            {
                Separate(line).Append(Outcome);
            }

            if (Attempts > 1)
            {
                Separate(line).Append(CultureInfo.InvariantCulture, $"attempt {Attempts}");
            }

            return line.ToString();
        }
    }

    private static StringBuilder Separate(StringBuilder line) => line.Length > 0 ? line.Append("; ") : line;
}
