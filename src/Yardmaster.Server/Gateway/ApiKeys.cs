using System.Security.Cryptography;
using System.Text;
using Yardmaster.Core.Configuration;

namespace Yardmaster.Server.Gateway;

/// <summary>
/// Checks bearer keys against the SHA-256 hashes of <c>auth:</c>. <c>/v1/*</c> takes an API or an admin key;
/// <c>/api/*</c> takes only an admin key (a valid API key there gets 403). With no keys of a kind configured,
/// that surface is open.
/// </summary>
/// <remarks>The optional internal key is the server's own (its inference steps calling its gateway): accepted on <c>/v1/*</c> only, and it opens nothing that is otherwise open.</remarks>
internal sealed class ApiKeys(AuthSettings settings, string? internalKey = null)
{
    private readonly HashSet<string> _api = [.. settings.ApiKeyHashes];
    private readonly HashSet<string> _admin = [.. settings.AdminKeyHashes];
    private readonly string? _internal = internalKey is null ? null : Hash(internalKey);

    /// <summary>Null when allowed; else the status (401 no or unknown key, 403 key without the right) and message.</summary>
    public (int Status, string Message)? Check(HttpRequest request, bool admin)
    {
        var open = admin ? _admin.Count == 0 : _api.Count == 0 && _admin.Count == 0;
        if (open)
        {
            return null;
        }

        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            return (401, "missing API key: send 'Authorization: Bearer <key>'");
        }

        var hash = Hash(header[7..].Trim());
        if (!admin && hash == _internal)
        {
            return null;
        }

        if (_admin.Contains(hash))
        {
            return null;
        }

        if (_api.Contains(hash))
        {
            return admin ? (403, "this key may call /v1/* but not the management API; use an admin key") : null;
        }

        return (401, "invalid API key");
    }

    private static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
