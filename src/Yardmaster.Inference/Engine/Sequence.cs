using System.Threading.Channels;
using Yardmaster.Inference.Llama;
using Yardmaster.Inference.Sampling;

namespace Yardmaster.Inference.Engine;

/// <summary>A request's life inside the engine: queued, then decoding in a slot, perhaps preempted and queued again. Touched only by the engine loop after admission.</summary>
internal sealed class Sequence
{
    public Sequence(GenerationRequest request, long order, long enqueuedAt, CancellationToken cancellation)
    {
        Request = request;
        Order = order;
        Cancellation = cancellation;
        EnqueuedAt = enqueuedAt;
        Fill = request.Prompt;
        Channel = System.Threading.Channels.Channel.CreateUnbounded<GenerationEvent>(
            new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        Sampler = new Sampler(request.Sampling, request.Prompt);
        Text = new StopTextFilter(request.Stop);
    }

    public GenerationRequest Request { get; }

    /// <summary>Arrival order among all requests; with <see cref="GenerationRequest.Priority"/>, the queue's order.</summary>
    public long Order { get; }

    public CancellationToken Cancellation { get; }

    public long EnqueuedAt { get; }

    public Channel<GenerationEvent> Channel { get; }

    public Sampler Sampler { get; }

    public StopTextFilter Text { get; }

    public Slot? Slot { get; set; }

    /// <summary>Tokens to put in the cache before decoding: the prompt, or after a preemption while decoding, every token the cache held.</summary>
    public int[] Fill { get; set; }

    /// <summary>True when <see cref="Fill"/> is a preempted sequence's tokens: no logits are wanted, its next token is <see cref="PendingToken"/>.</summary>
    public bool Resuming { get; set; }

    /// <summary>The cache of its first <see cref="SavedKv.Positions"/> tokens of <see cref="Fill"/>, kept while preempted; null when it will be recomputed.</summary>
    public SavedKv? Saved { get; set; }

    /// <summary>Tokens of <see cref="Fill"/> already in the cache.</summary>
    public int Prefilled { get; set; }

    /// <summary>The next token to feed: the last sampled one (or -1 while prefilling).</summary>
    public int PendingToken { get; set; } = -1;

    public int Generated { get; set; }

    /// <summary>Times it gave up its slot.</summary>
    public int Preemptions { get; set; }

    public bool Prefilling => Prefilled < Fill.Length;

    /// <summary>True when it goes before a request of <paramref name="priority"/> that arrived <paramref name="order"/>th: more urgent, or as urgent and earlier.</summary>
    public bool Precedes(int priority, long order) => Request.Priority < priority || (Request.Priority == priority && Order < order);

    /// <summary>Frees the kept cache, if any.</summary>
    public void DropSaved()
    {
        Saved?.Dispose();
        Saved = null;
    }
}
