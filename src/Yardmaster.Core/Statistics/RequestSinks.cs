namespace Yardmaster.Core.Statistics;

/// <summary>Several sinks as one: each finished request goes to every one, in order.</summary>
public sealed class RequestSinks(params IReadOnlyList<IRequestSink> sinks) : IRequestSink
{
    /// <inheritdoc/>
    public void Record(RequestRecord record)
    {
        foreach (var sink in sinks)
        {
            sink.Record(record);
        }
    }
}
