using System.Text.Json;
using Yardmaster.Core;
using Yardmaster.Core.Configuration;

namespace Yardmaster.Server.Ensembles;

/// <summary>One ensemble request on its way to its members: what every member call shares.</summary>
/// <param name="Task">The ensemble task.</param>
/// <param name="RequestId">The request's id; a member's is <c>{id}/{member}</c>.</param>
/// <param name="Priority">The priority every member is scheduled at.</param>
/// <param name="Deadline">The request's deadline, every member's too.</param>
/// <param name="Body">The request body (as received; every member gets it).</param>
/// <param name="Root">The parsed body, owned by this call (cloned: members may outlive the request).</param>
/// <param name="Chat">True for chat completions.</param>
/// <param name="Stream">True when the client asked for server-sent events (combine: first only).</param>
internal sealed record EnsembleCall(TaskDefinition Task, string RequestId, PriorityClass Priority, DateTimeOffset Deadline, byte[] Body, JsonElement Root, bool Chat, bool Stream)
{
    /// <summary>The request's <c>max_tokens</c>; null when unset.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>The prompt's estimated tokens.</summary>
    public int? PromptTokens { get; init; }

    /// <summary>When the request arrived (<see cref="TimeProvider.GetTimestamp"/>): member latencies count from here.</summary>
    public long Started { get; init; }
}
