namespace Yardmaster.Core.Statistics;

/// <summary>Tells every one of several sinks of each finished request, in order (the statistics, the history, the metrics).</summary>
/// <remarks>Thread-safe when every sink is.</remarks>
public sealed class RequestSinks(params IReadOnlyList<IRequestSink> sinks) : IRequestSink
{
    /// <inheritdoc />
    public void Record(RequestRecord record)
    {
        for (var i = 0; i < sinks.Count; i++) // indexed: once per request, without an enumerator
        {
            sinks[i].Record(record);
        }
    }
}
