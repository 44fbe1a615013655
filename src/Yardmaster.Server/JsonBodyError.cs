namespace Yardmaster.Server;

/// <summary>Why a request body is not JSON the server can read, and the field at fault when there is one (e.g. <c>messages[0].content</c>).</summary>
/// <param name="Message">What is wrong and where: the byte offset, line, or field.</param>
/// <param name="Field">The field's path, or null when the problem is with the body as a whole.</param>
internal sealed record JsonBodyError(string Message, string? Field);
