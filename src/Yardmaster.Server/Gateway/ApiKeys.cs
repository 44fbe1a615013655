using System.Security.Cryptography;
using System.Text;
using Yardmaster.Core.Configuration;

namespace Yardmaster.Server.Gateway;

/// <summary>
/// Checks bearer keys against the SHA-256 hashes of <c>auth:</c>. <c>/v1/*</c> takes an API or an admin key;
/// <c>/api/*</c> takes only an admin key (a valid API key there gets 403). With no keys of a kind configured,
/// that surface is open.
/// </summary>
internal sealed class ApiKeys(AuthSettings settings)
{
    private readonly HashSet<string> _api = [.. settings.ApiKeyHashes];
    private readonly HashSet<string> _admin = [.. settings.AdminKeyHashes];

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

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(header[7..].Trim())));
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
}
