namespace Yardmaster.Server.ModelServer;

/// <summary>One message of a chat: role and text content.</summary>
/// <param name="Role">system, developer, user, assistant or tool.</param>
/// <param name="Content">The text.</param>
internal sealed record ChatMessage(string Role, string Content);
