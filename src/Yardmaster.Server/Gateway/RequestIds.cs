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

    /// <summary>A new id: 16 random bytes as lowercase hex, "req_" first.</summary>
    public static string New() => "req_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private static bool Usable(string id) =>
        id.Length is > 0 and <= 128 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');
}
