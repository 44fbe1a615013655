using System.Net;
using Yardmaster.Core.Configuration;

namespace Yardmaster.Server.Gateway;

/// <summary>
/// Which binds may start: loopback always (the generated admin token guards <c>/api</c>); any other address only
/// with admin keys configured in <c>auth:</c> (for <c>/api</c>, which runs commands) and API keys (for <c>/v1</c>),
/// unless <c>--insecure-no-auth</c> opens <c>/v1</c> on purpose. Nothing ever opens <c>/api</c>.
/// </summary>
public static class ExposureRule
{
    /// <summary>True for <c>localhost</c> and loopback addresses (127.0.0.0/8, ::1).</summary>
    public static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));

    /// <summary>Null when the server may start with this config; else what to configure, as one message.</summary>
    public static string? Check(YardConfig config, bool insecureNoAuth)
    {
        ArgumentNullException.ThrowIfNull(config);
        var host = config.Server.Host;
        if (IsLoopback(host))
        {
            return null;
        }

        var missing = new List<string>();
        if (config.Auth.AdminKeyHashes.Count == 0)
        {
            missing.Add("an admin key for /api/* (auth.admin_keys or auth.admin_keys_env; /api runs commands and is never open)");
        }

        if (config.Auth.ApiKeyHashes.Count == 0 && !insecureNoAuth)
        {
            missing.Add("keys for /v1/* (auth.api_keys or auth.api_keys_env, or --insecure-no-auth to serve /v1 without keys on purpose)");
        }

        return missing.Count == 0
            ? null
            : $"refusing to listen on {host}, which other machines can reach, without {string.Join(" and ", missing)}; see docs/security.md, or bind 127.0.0.1";
    }
}
