using Yardmaster.Core;
using Yardmaster.Core.Models;

namespace Yardmaster.Runtime.Serving;

/// <summary>A request's decision trace while it is written. Guarded by the scheduler's lock; <see cref="ToTrace"/> copies it out.</summary>
internal sealed class TraceBuilder(string requestId, string task, PriorityClass priority, DateTimeOffset arrival)
{
    private const int MaxSamples = 16;
    private const int MaxMemoryWaits = 8;

    private readonly List<QueueSample> _queue = [];
    private readonly List<MemoryWait> _memory = [];
    private readonly List<string> _earlier = [];

    public string RequestId { get; } = requestId;

    public string Task { get; } = task;

    public PriorityClass Priority { get; private set; } = priority;

    public DateTimeOffset Arrival { get; } = arrival;

    public int Attempts { get; private set; } = 1;

    public IReadOnlyList<CandidateVerdict> Candidates { get; set; } = [];

    public string? Model { get; set; }

    public string? Reason { get; set; }

    public TimeSpan? PredictedStart { get; set; }

    public TraceLoad? Load { get; set; }

    public TraceDispatch? Dispatch { get; set; }

    public string Outcome { get; private set; } = "queued";

    public Refusal? Refusal { get; private set; }

    public DateTimeOffset? Finished { get; private set; }

    /// <summary>True once ended (and until a retry reopens it).</summary>
    public bool Done => Finished is not null;

    /// <summary>Records the position when it differs from the last one; keeps the first samples and the latest.</summary>
    public void Position(DateTimeOffset at, int position)
    {
        if (_queue.Count > 0 && _queue[^1].Position == position)
        {
            return;
        }

        if (_queue.Count == MaxSamples)
        {
            _queue.RemoveAt(MaxSamples - 1);
        }

        _queue.Add(new QueueSample(at, position));
    }

    /// <summary>Records a wait for memory when its words differ from the last one's (housekeeping retries every tick).</summary>
    public void WaitedForMemory(MemoryWait wait)
    {
        if (_memory.Count < MaxMemoryWaits && (_memory.Count == 0 || _memory[^1].Words != wait.Words))
        {
            _memory.Add(wait);
        }
    }

    public void Dispatched(TraceDispatch dispatch)
    {
        Dispatch = dispatch;
        Outcome = "running";
    }

    public void Finish(DateTimeOffset at, string outcome, Refusal? refusal = null)
    {
        Outcome = outcome;
        Refusal = refusal;
        Finished = at;
    }

    /// <summary>Starts a new attempt (a retry after the replica failed before answering), keeping the last one's summary.</summary>
    public void Reopen(PriorityClass priority)
    {
        _earlier.Add(ToTrace().Summary);
        Attempts++;
        Priority = priority;
        Candidates = [];
        (Model, Reason, PredictedStart, Load, Dispatch, Refusal, Finished) = (null, null, null, null, null, null, null);
        Outcome = "queued";
        _queue.Clear();
        _memory.Clear();
    }

    public DecisionTrace ToTrace() => new(
        RequestId, Task, Priority, Arrival, Attempts, Candidates, Model, Reason, PredictedStart, [.. _memory], Load, [.. _queue], Dispatch, Outcome, Refusal, Finished, [.. _earlier]);
}
