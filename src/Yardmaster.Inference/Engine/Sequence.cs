using System.Threading.Channels;
using Yardmaster.Inference.Sampling;

namespace Yardmaster.Inference.Engine;

/// <summary>A request's life inside the engine: queued, then decoding in a slot. Touched only by the engine loop after admission.</summary>
internal sealed class Sequence
{
    public Sequence(GenerationRequest request, long enqueuedAt, CancellationToken cancellation)
    {
        Request = request;
        Cancellation = cancellation;
        EnqueuedAt = enqueuedAt;
        Channel = System.Threading.Channels.Channel.CreateUnbounded<GenerationEvent>(
            new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        Sampler = new Sampler(request.Sampling, request.Prompt);
        Text = new StopTextFilter(request.Stop);
    }

    public GenerationRequest Request { get; }

    public CancellationToken Cancellation { get; }

    public long EnqueuedAt { get; }

    public Channel<GenerationEvent> Channel { get; }

    public Sampler Sampler { get; }

    public StopTextFilter Text { get; }

    public Slot? Slot { get; set; }

    /// <summary>Prompt tokens already in the cache.</summary>
    public int Prefilled { get; set; }

    /// <summary>The next token to feed: the last sampled one (or -1 while prefilling).</summary>
    public int PendingToken { get; set; } = -1;

    public int Generated { get; set; }

    public bool Prefilling => Prefilled < Request.Prompt.Length;
}
