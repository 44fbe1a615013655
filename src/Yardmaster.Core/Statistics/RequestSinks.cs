namespace Yardmaster.Core.Statistics;

/// <summary>Tells every one of several sinks of each finished request, in order (the statistics, the history, the metrics).</summary>
/// <remarks>Thread-safe when every sink is.</remarks>
public sealed class RequestSinks(params IReadOnlyList<IRequestSink> sinks) : IRequestSink
{
    /// <inheritdoc />
    public void Record(RequestRecord record)
    {
        foreach (var sink in sinks)
        {
            sink.Record(record);
        }
    }
}
