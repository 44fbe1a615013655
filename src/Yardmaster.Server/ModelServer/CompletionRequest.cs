using Yardmaster.Inference.Sampling;

namespace Yardmaster.Server.ModelServer;

/// <summary>A validated <c>/v1/completions</c> or <c>/v1/chat/completions</c> request.</summary>
internal sealed record CompletionRequest
{
    public required bool Chat { get; init; }

    public string? Model { get; init; }

    /// <summary>The prompt text (completions), or null when given as token ids or for chat.</summary>
    public string? Prompt { get; init; }

    /// <summary>The prompt as token ids (completions with an integer array).</summary>
    public int[]? PromptTokens { get; init; }

    public IReadOnlyList<ChatMessage> Messages { get; init; } = [];

    /// <summary>Most tokens to generate; null for the rest of the context.</summary>
    public int? MaxTokens { get; init; }

    public required SamplingOptions Sampling { get; init; }

    public IReadOnlyList<string> Stop { get; init; } = [];

    public bool Stream { get; init; }

    public bool IncludeUsage { get; init; }

    public bool IgnoreEos { get; init; }

    public bool Echo { get; init; }

    /// <summary>The engine's priority: lower is more urgent (<see cref="Inference.Engine.GenerationRequest.Priority"/>); the class's number, normal (2) by default.</summary>
    public int Priority { get; init; } = (int)Core.PriorityClass.Normal;
}
