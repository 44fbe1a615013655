using System.Security.Cryptography;
using System.Text;

namespace Yardmaster.Server.Dashboard;

/// <summary>
/// The dashboard's login sessions, held in memory: a session id is 32 random bytes (base64url) that the browser
/// keeps in an <c>HttpOnly; SameSite=Strict</c> cookie; the server keeps only the SHA-256 of each id with its
/// expiry. Never the admin token: a stolen cookie dies with its session, at <see cref="Lifetime"/> or at logout.
/// </summary>
/// <remarks>
/// Bounded: at most <see cref="MaxSessions"/>; a new login past that ends the session that expires first.
/// Sessions end at a restart of the server. Thread-safe (one short lock).
/// </remarks>
internal sealed class DashboardSessions(TimeProvider time)
{
    /// <summary>The cookie's name.</summary>
    public const string CookieName = "yard_session";

    /// <summary>Sessions kept at once.</summary>
    public const int MaxSessions = 64;

    /// <summary>How long a session lasts from login: 12 hours.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, DateTimeOffset> _expiries = new(StringComparer.Ordinal);

    /// <summary>Opens a session; returns its id (for the cookie) and when it expires.</summary>
    public (string Id, DateTimeOffset Expires) Open()
    {
        var id = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var expires = time.GetUtcNow() + Lifetime;
        lock (_lock)
        {
            Prune();
            if (_expiries.Count >= MaxSessions)
            {
                _expiries.Remove(_expiries.MinBy(e => e.Value).Key);
            }

            _expiries[Hash(id)] = expires;
        }

        return (id, expires);
    }

    /// <summary>True when <paramref name="id"/> names a session that has not expired nor been closed.</summary>
    public bool IsValid(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 128)
        {
            return false;
        }

        lock (_lock)
        {
            return _expiries.TryGetValue(Hash(id), out var expires) && expires > time.GetUtcNow();
        }
    }

    /// <summary>Ends the session (logout); idempotent.</summary>
    public void Close(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return;
        }

        lock (_lock)
        {
            _expiries.Remove(Hash(id));
        }
    }

    /// <summary>The session named by the request's cookie, if valid.</summary>
    public bool IsValid(HttpRequest request) => IsValid(request.Cookies[CookieName]);

    private void Prune()
    {
        var now = time.GetUtcNow();
        foreach (var (key, expires) in _expiries.Where(e => e.Value <= now).ToList())
        {
            _expiries.Remove(key);
        }
    }

    private static string Hash(string id) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(id)));
}
