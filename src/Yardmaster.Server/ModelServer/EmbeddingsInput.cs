namespace Yardmaster.Server.ModelServer;

/// <summary>One input of an embeddings request: a text to tokenize, or token ids used as given.</summary>
/// <param name="Text">The text, or null for token ids.</param>
/// <param name="Tokens">The token ids, or null for a text.</param>
internal sealed record EmbeddingsInput(string? Text, int[]? Tokens);
