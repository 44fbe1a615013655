using System.Text.Json;
using Yardmaster.Core;

namespace Yardmaster.Server.Backends;

/// <summary>One OpenAI request on its way to a replica: the body as received and parsed, and its kind.</summary>
/// <param name="Body">The request body's bytes.</param>
/// <param name="Root">The parsed body (valid while the gateway holds the document).</param>
/// <param name="Chat">True for <c>/v1/chat/completions</c>, false for <c>/v1/completions</c> (and <c>/v1/embeddings</c>).</param>
/// <param name="Stream">True when the client asked for server-sent events.</param>
internal sealed record ForwardCall(byte[] Body, JsonElement Root, bool Chat, bool Stream)
{
    /// <summary>True for <c>/v1/embeddings</c> (then <see cref="Chat"/> and <see cref="Stream"/> are false).</summary>
    public bool Embeddings { get; init; }

    /// <summary>The request's priority class, passed to the replica's engine (in process, or as <c>X-Yard-Priority</c>). Default normal.</summary>
    public PriorityClass Priority { get; init; } = PriorityClass.Normal;
}
