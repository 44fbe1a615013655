namespace Yardmaster.Server.Caching;

/// <summary>A complete successful answer as it was sent: replayed byte for byte on a hit (a stream replays its events).</summary>
/// <param name="ContentType">The response's content type (JSON, or <c>text/event-stream</c>).</param>
/// <param name="Model">The model that answered (<c>X-Yard-Model</c>).</param>
/// <param name="Body">The response body.</param>
/// <param name="PromptTokens">Tokens in, as the answer reported them.</param>
/// <param name="CompletionTokens">Tokens out, as the answer reported them.</param>
internal sealed record CachedAnswer(string? ContentType, string? Model, byte[] Body, int PromptTokens, int CompletionTokens);
