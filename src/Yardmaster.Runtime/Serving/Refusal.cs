namespace Yardmaster.Runtime.Serving;

/// <summary>
/// Why a request gets no slot, as a value: the HTTP status to answer (429 over quota or queue full, 503 no
/// capacity or a deadline that cannot be met, 504 deadline passed while waiting), a machine-readable code,
/// a message naming the limit, and when to try again.
/// </summary>
public sealed record Refusal(int Status, string Code, string Message, TimeSpan? RetryAfter = null);
