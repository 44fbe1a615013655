using System.Security.Cryptography;
using System.Text;
using Yardmaster.Core.Configuration;

namespace Yardmaster.Server.Gateway;

/// <summary>
/// Checks bearer keys against SHA-256 hashes. <c>/api/*</c> is never open: it takes an admin key of <c>auth:</c>
/// or the token the server generated for itself (<see cref="AdminToken"/>), and a valid API key there gets 403.
/// <c>/v1/*</c> takes an API or an admin key, and is open only while no key of either kind is configured (or,
/// with <c>--insecure-no-auth</c>, while no API key is).
/// </summary>
/// <remarks>
/// Every comparison is over the hashes in fixed time (<see cref="CryptographicOperations.FixedTimeEquals"/>), and
/// every hash of a kind is compared, so the time taken says nothing about which part of a key matched. The
/// optional internal key is the server's own (its inference steps calling its gateway): accepted on
/// <c>/v1/*</c> only. Thread-safe (immutable).
/// </remarks>
internal sealed class ApiKeys
{
    private readonly byte[][] _api;
    private readonly byte[][] _admin;
    private readonly byte[]? _internal;
    private readonly bool _v1Open;

    /// <param name="settings">The configured keys.</param>
    /// <param name="generatedAdminHash">The hash of the generated admin token; null when the config names admin keys.</param>
    /// <param name="internalKey">The server's own key for its inference steps.</param>
    /// <param name="insecureNoAuth"><c>--insecure-no-auth</c>: <c>/v1</c> stays open while no API key is configured, even with admin keys.</param>
    public ApiKeys(AuthSettings settings, string? generatedAdminHash, string? internalKey, bool insecureNoAuth)
    {
        _api = [.. settings.ApiKeyHashes.Select(Convert.FromHexString)];
        _admin = [.. settings.AdminKeyHashes.Append(generatedAdminHash).OfType<string>().Select(Convert.FromHexString)];
        _internal = internalKey is null ? null : HashBytes(internalKey);
        _v1Open = settings.ApiKeyHashes.Count == 0 && (settings.AdminKeyHashes.Count == 0 || insecureNoAuth);
    }

    /// <summary>True when <c>/v1</c> takes requests without a key (no key is configured for it).</summary>
    public bool OpenV1 => _v1Open;

    /// <summary>Null when allowed; else the status (401 no or unknown key, 403 key without the right) and message.</summary>
    public (int Status, string Message)? Check(HttpRequest request, bool admin)
    {
        if (!admin && _v1Open)
        {
            return null;
        }

        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.AsSpan(7).Trim().IsEmpty)
        {
            return (401, admin
                ? "missing admin key: send 'Authorization: Bearer <admin key>' (the yard CLI reads the server's generated token itself on this machine; see docs/security.md)"
                : "missing API key: send 'Authorization: Bearer <key>'");
        }

        var hash = HashBytes(header[7..].Trim());
        if (!admin && _internal is not null && CryptographicOperations.FixedTimeEquals(hash, _internal))
        {
            return null;
        }

        if (AnyEquals(_admin, hash))
        {
            return null;
        }

        if (AnyEquals(_api, hash))
        {
            return admin ? (403, "this key may call /v1/* but not the management API /api/*; use an admin key") : null;
        }

        return (401, admin ? "invalid admin key" : "invalid API key");
    }

    /// <summary>True when <paramref name="key"/> is an admin key (the dashboard's login); compared in fixed time as <see cref="Check"/> does.</summary>
    public bool IsAdminKey(string key) => AnyEquals(_admin, HashBytes(key));

    /// <summary>The SHA-256 of the key's UTF-8 bytes, lower-case hex: the form kept in the store and in <c>auth:</c>.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(HashBytes(key));

    private static byte[] HashBytes(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    private static bool AnyEquals(byte[][] hashes, byte[] hash)
    {
        var found = false;
        foreach (var candidate in hashes)
        {
            found |= CryptographicOperations.FixedTimeEquals(candidate, hash);
        }

        return found;
    }
}
