using System.Threading.Channels;

namespace Yardmaster.Inference.Engine;

/// <summary>An admitted request: its events arrive on <see cref="Events"/> until a <see cref="GenerationFinished"/>.</summary>
public sealed class Generation
{
    internal Generation(GenerationRequest request, ChannelReader<GenerationEvent> events)
    {
        Request = request;
        Events = events;
    }

    /// <summary>The request.</summary>
    public GenerationRequest Request { get; }

    /// <summary>Text deltas then one finish event; the channel completes after the finish event.</summary>
    public ChannelReader<GenerationEvent> Events { get; }
}
