using System.Security.Cryptography;

namespace Yardmaster.Server.Gateway;

/// <summary>
/// The id of a request: the client's <c>X-Request-Id</c> when it sent a usable one (1 to 128 characters of letters,
/// digits, <c>-</c>, <c>_</c>, <c>.</c>, <c>:</c>), else a new random one; echoed in the response's <c>X-Request-Id</c>.
/// </summary>
internal static class RequestIds
{
    public const string Header = "X-Request-Id";

    /// <summary>
    /// Picks the request's id, stores it as the context's trace identifier and sets the response header. Idempotent: a
    /// request that has its id (the response header is set) keeps it.
    /// </summary>
    public static string Assign(HttpContext http)
    {
        if (http.Response.Headers[Header].ToString() is { Length: > 0 } assigned)
        {
            return assigned;
        }

        var id = http.Request.Headers[Header].ToString() is var sent && Usable(sent) ? sent : New();
        http.TraceIdentifier = id;
        http.Response.Headers[Header] = id;
        return id;
    }

    private const int IdBytes = 16;

    // Cryptographic random bytes drawn 4 KiB at a time per thread: one call to the generator per 256 ids, not one per request.
    [ThreadStatic]
    private static byte[]? t_random;

    [ThreadStatic]
    private static int t_used;

    /// <summary>A new id: 16 random bytes as lowercase hex, "req_" first.</summary>
    public static string New()
    {
        if (t_random is not { } random || t_used >= random.Length)
        {
            random = t_random ??= new byte[4096];
            RandomNumberGenerator.Fill(random);
            t_used = 0;
        }

        var id = string.Create(4 + (2 * IdBytes), random.AsMemory(t_used, IdBytes), static (chars, bytes) =>
        {
            "req_".CopyTo(chars);
            Convert.TryToHexStringLower(bytes.Span, chars[4..], out _);
        });
        t_used += IdBytes;
        return id;
    }

    private static bool Usable(string id) =>
        id.Length is > 0 and <= 128 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');
}
