namespace Yardmaster.Core.Statistics;

/// <summary>The running totals behind one <see cref="RequestStatistics"/>. Not thread-safe.</summary>
internal sealed class RequestAccumulator(int reservoirCapacity)
{
    private static readonly RequestOutcome[] _outcomes = Enum.GetValues<RequestOutcome>();

    private long[] _byOutcome = new long[_outcomes.Length];
    private LatencyRecorder _queueTime = new(reservoirCapacity);
    private LatencyRecorder _timeToFirstToken = new(reservoirCapacity);
    private LatencyRecorder _latency = new(reservoirCapacity);
    private long _requests;
    private long _promptTokens;
    private long _completionTokens;
    private long _sloMet;
    private long _sloCounted;
    private Dictionary<string, long> _reasons = new(StringComparer.Ordinal);

    public void Add(RequestRecord record)
    {
        _requests++;
        _byOutcome[(int)record.Outcome]++;
        _promptTokens += record.PromptTokens;
        _completionTokens += record.CompletionTokens;
        if (record.QueueTime is { } queueTime)
        {
            _queueTime.Add(queueTime);
        }

        if (record.TimeToFirstToken is { } ttft)
        {
            _timeToFirstToken.Add(ttft);
        }

        if (record.Outcome == RequestOutcome.Completed)
        {
            _latency.Add(record.Latency);
        }
        else if (record.Outcome is not (RequestOutcome.Invalid or RequestOutcome.Cancelled))
        {
            var reason = RefusalReasons.Bounded(record.Reason);
            _reasons[reason] = _reasons.GetValueOrDefault(reason) + 1;
        }

        if (record.SloMet is { } met)
        {
            _sloCounted++;
            _sloMet += met ? 1 : 0;
        }
    }

    /// <summary>An independent copy, to summarize outside the collector's lock.</summary>
    public RequestAccumulator Clone()
    {
        var copy = (RequestAccumulator)MemberwiseClone();
        copy._byOutcome = (long[])_byOutcome.Clone();
        copy._queueTime = _queueTime.Clone();
        copy._timeToFirstToken = _timeToFirstToken.Clone();
        copy._latency = _latency.Clone();
        copy._reasons = new Dictionary<string, long>(_reasons, StringComparer.Ordinal);
        return copy;
    }

    public RequestStatistics ToStatistics()
    {
        var byOutcome = new Dictionary<string, long>(_outcomes.Length, StringComparer.Ordinal);
        foreach (var outcome in _outcomes)
        {
            byOutcome[outcome.ToString()] = _byOutcome[(int)outcome];
        }

        return new RequestStatistics(
            _requests,
            byOutcome.AsReadOnly(),
            _queueTime.Summarize(),
            _timeToFirstToken.Summarize(),
            _latency.Summarize(),
            _promptTokens,
            _completionTokens,
            _sloMet,
            _sloCounted)
        {
            Reasons = _reasons.OrderBy(r => r.Key, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal).AsReadOnly(),
        };
    }
}
