using Yardmaster.Runtime.Serving;

namespace Yardmaster.Server.Backends;

/// <summary>A replica the gateway can send OpenAI requests to. Thread-safe: one call per leased slot, concurrently.</summary>
internal interface IServingReplica : IReplicaInstance
{
    /// <summary>
    /// Serves <paramref name="call"/>, writing the answer to <paramref name="http"/>'s response (status,
    /// headers, body or events). Never throws for expected failures: the report says what happened and
    /// whether anything reached the client. <paramref name="cancellationToken"/> ends it early (client gone or
    /// deadline), which also stops the backend's generation.
    /// </summary>
    Task<ForwardReport> ForwardAsync(ForwardCall call, HttpContext http, CancellationToken cancellationToken);
}
