using System.Text.Json.Nodes;

namespace Yardmaster.Server.Ensembles;

/// <summary>How one ensemble request ended: its answer (status 200 and a body) or why not (504 or 502 and a message).</summary>
/// <param name="Status">200, 504 (the deadline came with fewer than min_members answers) or 502 (members failed).</param>
/// <param name="Body">The answer with its <c>yard</c> object; null unless 200.</param>
/// <param name="Error">Why there is no answer; null when 200.</param>
/// <param name="Model">The model whose answer was given (first, vote, judge); null for all and for errors.</param>
/// <param name="Results">Every member's part, in member order.</param>
/// <param name="Header">The <c>X-Yard-Ensemble</c> header.</param>
internal sealed record EnsembleOutcome(int Status, JsonObject? Body, string? Error, string? Model, IReadOnlyList<MemberResult> Results, string Header)
{
    /// <summary>Tokens in and out over every member (and the judge).</summary>
    public (int Prompt, int Completion) Usage { get; init; }
}
