namespace Yardmaster.Core.Configuration;

/// <summary>What <c>store.url</c> must look like: <c>postgres://user@host[:port]/database</c>, with no password in it.</summary>
public static class StoreUrls
{
    /// <summary>Null when <paramref name="url"/> is a usable PostgreSQL URL; else what is wrong with it, for the user.</summary>
    public static string? Check(string url)
    {
        const string Example = "write postgres://user@host:5432/database";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("postgres" or "postgresql"))
        {
            return $"'{Redact(url)}' is not a PostgreSQL URL; {Example}";
        }

        var userInfo = Uri.UnescapeDataString(uri.UserInfo);
        if (userInfo.Contains(':', StringComparison.Ordinal))
        {
            return "must not hold a password (it would end up in logs and process listings); name an environment variable in store.password_env, or use ~/.pgpass";
        }

        if (userInfo.Length == 0)
        {
            return $"names no user; {Example}";
        }

        if (uri.Host.Length == 0)
        {
            return $"names no host; {Example}";
        }

        var database = uri.AbsolutePath.Trim('/');
        if (database.Length == 0 || database.Contains('/', StringComparison.Ordinal))
        {
            return $"names no database (or more than one path segment); {Example}";
        }

        return null;
    }

    /// <summary><paramref name="url"/> with any password replaced by <c>***</c>, for messages.</summary>
    public static string Redact(string url)
    {
        var at = url.IndexOf('@', StringComparison.Ordinal);
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (at < 0 || scheme < 0 || at < scheme)
        {
            return url;
        }

        var colon = url.IndexOf(':', scheme + 3);
        return colon >= 0 && colon < at ? string.Concat(url.AsSpan(0, colon + 1), "***", url.AsSpan(at)) : url;
    }
}
