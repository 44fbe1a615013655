namespace Yardmaster.Server.ModelServer;

/// <summary>What every response object of one completion repeats: id, creation time, model, kind.</summary>
/// <param name="Id">Response id: <c>cmpl-…</c> or <c>chatcmpl-…</c>.</param>
/// <param name="Created">Unix seconds.</param>
/// <param name="Model">The served model's name.</param>
/// <param name="Chat">Chat or plain completion.</param>
/// <param name="IncludeUsage">Whether the stream ends with a usage chunk.</param>
internal sealed record CompletionContext(string Id, long Created, string Model, bool Chat, bool IncludeUsage);
