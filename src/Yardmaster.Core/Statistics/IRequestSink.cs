namespace Yardmaster.Core.Statistics;

/// <summary>Something that is told of every finished request: the live statistics, the history, the metrics. Must be thread-safe and must not block.</summary>
public interface IRequestSink
{
    /// <summary>Takes one finished request.</summary>
    void Record(RequestRecord record);
}
