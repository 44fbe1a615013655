using System.Text.Json;

namespace Yardmaster.Server.Ensembles;

/// <summary>One member's part in an ensemble request.</summary>
/// <param name="Member">The member's name (a model or a task).</param>
/// <param name="Status">How it ended.</param>
/// <param name="Latency">From the ensemble's start to its answer or its end.</param>
/// <param name="Model">The model that answered; null when none did.</param>
/// <param name="Answer">The member's successful answer (an OpenAI response object); null unless answered and not streamed.</param>
/// <param name="Error">Why it failed; null otherwise.</param>
internal sealed record MemberResult(string Member, MemberStatus Status, TimeSpan Latency, string? Model, JsonElement? Answer, string? Error)
{
    /// <summary>Tokens in and out, from the answer's usage.</summary>
    public (int Prompt, int Completion) Usage { get; init; }

    /// <summary>The answer's text: <c>choices[0].message.content</c> (chat) or <c>choices[0].text</c>; empty when none.</summary>
    public string Text => Answer is { } a ? AnswerText.Of(a) : string.Empty;
}
