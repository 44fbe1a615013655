using Yardmaster.Core.Statistics;

namespace Yardmaster.Core.History;

/// <summary>The sums of one rollup row: requests, tokens, SLO counts and three latency histograms. Mergeable; not thread-safe.</summary>
public sealed class RollupTotals
{
    /// <summary>Requests.</summary>
    public long Count { get; set; }

    /// <summary>Prompt tokens.</summary>
    public long TokensIn { get; set; }

    /// <summary>Completion tokens.</summary>
    public long TokensOut { get; set; }

    /// <summary>Requests that count for an SLO (see <see cref="RequestRecord.SloMet"/>).</summary>
    public long SloCounted { get; set; }

    /// <summary>Requests that met it.</summary>
    public long SloMet { get; set; }

    /// <summary>Queue time of requests that reached a slot.</summary>
    public LatencyHistogram QueueTime { get; init; } = new();

    /// <summary>Time to first token of requests that sent one.</summary>
    public LatencyHistogram TimeToFirstToken { get; init; } = new();

    /// <summary>End-to-end latency of every request.</summary>
    public LatencyHistogram Latency { get; init; } = new();

    /// <summary>Counts one request.</summary>
    public void Add(RequestRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Count++;
        TokensIn += record.PromptTokens;
        TokensOut += record.CompletionTokens;
        if (record.SloMet is { } met)
        {
            SloCounted++;
            SloMet += met ? 1 : 0;
        }

        if (record.QueueTime is { } queue)
        {
            QueueTime.Add(queue.TotalMilliseconds);
        }

        if (record.TimeToFirstToken is { } ttft)
        {
            TimeToFirstToken.Add(ttft.TotalMilliseconds);
        }

        Latency.Add(record.Latency.TotalMilliseconds);
    }

    /// <summary>Adds every count of <paramref name="other"/>.</summary>
    public void Merge(RollupTotals other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Count += other.Count;
        TokensIn += other.TokensIn;
        TokensOut += other.TokensOut;
        SloCounted += other.SloCounted;
        SloMet += other.SloMet;
        QueueTime.Merge(other.QueueTime);
        TimeToFirstToken.Merge(other.TimeToFirstToken);
        Latency.Merge(other.Latency);
    }

    /// <summary>An independent copy.</summary>
    public RollupTotals Clone() => new()
    {
        Count = Count,
        TokensIn = TokensIn,
        TokensOut = TokensOut,
        SloCounted = SloCounted,
        SloMet = SloMet,
        QueueTime = QueueTime.Clone(),
        TimeToFirstToken = TimeToFirstToken.Clone(),
        Latency = Latency.Clone(),
    };
}
