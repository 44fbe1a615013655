using System.Globalization;

namespace Yardmaster.Core.Configuration;

/// <summary>
/// <c>store.url</c> read: <c>postgres://USER@HOST[:PORT]/DATABASE[?sslmode=MODE]</c> (<c>postgresql://</c> too). A password in
/// it is refused (it would end up in logs, process listings and shell histories); it comes from <c>store.password_env</c>
/// or <c>~/.pgpass</c>. Pure: no I/O.
/// </summary>
/// <param name="User">The role to log in as (percent-decoded).</param>
/// <param name="Host">Host name or address (IPv6 without brackets).</param>
/// <param name="Port">TCP port; 5432 when the URL names none.</param>
/// <param name="Database">The database (percent-decoded).</param>
/// <param name="SslMode">libpq's <c>sslmode</c> when given (<c>disable</c>, <c>allow</c>, <c>prefer</c>, <c>require</c>, <c>verify-ca</c>, <c>verify-full</c>); null for the driver's default.</param>
public sealed record PostgresUrl(string User, string Host, int Port, string Database, string? SslMode)
{
    /// <summary>PostgreSQL's port when the URL names none.</summary>
    public const int DefaultPort = 5432;

    private static readonly string[] _sslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];

    /// <summary>Reads <paramref name="text"/>; false with an error naming what is wrong (never repeating a password) otherwise.</summary>
    public static bool TryParse(string? text, out PostgresUrl? url, out string? error)
    {
        url = null;
        error = Check(text, out var parsed);
        if (error is not null)
        {
            return false;
        }

        url = parsed;
        return true;
    }

    /// <summary>The URL written back (without a password, which it never holds).</summary>
    public override string ToString()
    {
        var host = Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host;
        var query = SslMode is null ? string.Empty : "?sslmode=" + SslMode;
        return string.Create(CultureInfo.InvariantCulture, $"postgres://{Uri.EscapeDataString(User)}@{host}:{Port}/{Uri.EscapeDataString(Database)}{query}");
    }

    private static string? Check(string? text, out PostgresUrl? url)
    {
        url = null;
        const string Shape = "write postgres://USER@HOST:PORT/DATABASE";
        if (string.IsNullOrWhiteSpace(text))
        {
            return $"is empty; {Shape}";
        }

        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0 || text[..scheme] is not ("postgres" or "postgresql"))
        {
            return $"must start with postgres:// (got '{Redacted(text)}'); {Shape}";
        }

        var authorityEnd = text.IndexOfAny(['/', '?', '#'], scheme + 3);
        var authority = authorityEnd < 0 ? text[(scheme + 3)..] : text[(scheme + 3)..authorityEnd];
        var at = authority.LastIndexOf('@');
        if (at >= 0 && authority[..at].Contains(':', StringComparison.Ordinal))
        {
            return "holds a password, which would end up in logs and process listings; remove it from the URL and put it in the environment variable named by store.password_env, or in ~/.pgpass";
        }

        var hostPort = authority[(at + 1)..];
        var portStart = hostPort.StartsWith('[') ? hostPort.IndexOf("]:", StringComparison.Ordinal) + 1 : hostPort.LastIndexOf(':');
        if (portStart > 0 && (!int.TryParse(hostPort[(portStart + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535))
        {
            return $"has port '{hostPort[(portStart + 1)..]}'; a port is a number from 1 to 65535";
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            return $"is not a URL ('{Redacted(text)}'); {Shape}";
        }

        if (string.IsNullOrEmpty(uri.UserInfo))
        {
            return $"names no user ('{text}'); {Shape}";
        }

        if (string.IsNullOrEmpty(uri.Host))
        {
            return $"names no host ('{text}'); {Shape}";
        }

        var database = uri.AbsolutePath.TrimStart('/');
        if (database.Length == 0 || database.Contains('/', StringComparison.Ordinal))
        {
            return $"must name one database after the host, as in postgres://{uri.UserInfo}@{uri.Authority}/yardmaster (got path '{uri.AbsolutePath}')";
        }

        if (uri.Fragment.Length > 0)
        {
            return $"must not have a fragment ('{uri.Fragment}')";
        }

        string? sslMode = null;
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, value) = pair.IndexOf('=', StringComparison.Ordinal) is var eq and >= 0 ? (pair[..eq], pair[(eq + 1)..]) : (pair, string.Empty);
            if (name != "sslmode")
            {
                return $"has the parameter '{name}', but only sslmode is supported";
            }

            if (!_sslModes.Contains(value, StringComparer.Ordinal))
            {
                return $"has sslmode '{value}'; use one of {string.Join(", ", _sslModes)}";
            }

            sslMode = value;
        }

        url = new PostgresUrl(
            Uri.UnescapeDataString(uri.UserInfo),
            uri.IdnHost.Trim('[', ']'),
            uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port,
            Uri.UnescapeDataString(database),
            sslMode);
        return null;
    }

    /// <summary><paramref name="text"/> with the user information hidden when it holds a colon (so perhaps a password).</summary>
    private static string Redacted(string text)
    {
        var start = text.IndexOf("://", StringComparison.Ordinal);
        var at = text.IndexOf('@', StringComparison.Ordinal);
        return start >= 0 && at > start && text.AsSpan(start + 3, at - start - 3).Contains(':')
            ? string.Concat(text.AsSpan(0, start + 3), "…", text.AsSpan(at))
            : text;
    }
}
