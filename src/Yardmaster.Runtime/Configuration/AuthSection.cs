using System.Security.Cryptography;
using System.Text;
using Yardmaster.Core.Configuration;

namespace Yardmaster.Runtime.Configuration;

/// <summary>
/// Maps <c>auth:</c>. Keys are given plain or as <c>sha256:&lt;hex&gt;</c>, in the file or in environment
/// variables (comma-separated); plain keys are hashed here and only hashes leave. Error messages never
/// quote a key.
/// </summary>
internal static class AuthSection
{
    public static readonly string[] Keys = ["api_keys", "api_keys_env", "admin_keys", "admin_keys_env"];
    private const string Prefix = "sha256:";

    public static AuthSettings Read(ConfigSection? s, Func<string, string?> environment) => s is null ? new AuthSettings() : new AuthSettings
    {
        ApiKeyHashes = Hashes(s, "api_keys", "api_keys_env", environment),
        AdminKeyHashes = Hashes(s, "admin_keys", "admin_keys_env", environment),
    };

    /// <summary>The SHA-256 of the key's UTF-8 bytes, lower-case hex: the form kept and compared.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static List<string> Hashes(ConfigSection s, string listKey, string envKey, Func<string, string?> environment)
    {
        var hashes = new List<string>();
        if (s.Node(listKey) is { Kind: not ConfigNodeKind.Sequence } single)
        {
            // Not the reader's usual "found '<value>'": the value may be a key.
            s.Reader.Error(single, s.Field(listKey), "expected a list of keys, e.g. [key-1, 'sha256:<64 hex digits>']");
        }

        var items = s.Node(listKey) is { Kind: ConfigNodeKind.Sequence } ? s.List(listKey, "keys")! : [];
        for (var i = 0; i < items.Count; i++)
        {
            var field = $"{s.Field(listKey)}[{i}]";
            if (items[i].Kind != ConfigNodeKind.Scalar || items[i].Value.Trim().Length == 0)
            {
                s.Reader.Error(items[i], field, "expected a key (plain or sha256:<64 hex digits>)");
            }
            else if (ToHash(items[i].Value.Trim()) is { } hash)
            {
                hashes.Add(hash);
            }
            else
            {
                s.Reader.Error(items[i], field, "a key starting with sha256: must go on with 64 hex digits, the SHA-256 of the key");
            }
        }

        if (s.String(envKey) is { } variable)
        {
            var value = environment(variable.Trim());
            var keys = (value ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (keys.Length == 0)
            {
                // Starting open when the operator asked for keys would be a silent security hole.
                s.Reader.Error(s.Node(envKey)!, s.Field(envKey), $"environment variable '{variable}' is not set or empty; set it to comma-separated keys or remove {envKey}");
            }

            foreach (var key in keys)
            {
                if (ToHash(key) is { } hash)
                {
                    hashes.Add(hash);
                }
                else
                {
                    s.Reader.Error(s.Node(envKey)!, s.Field(envKey), $"environment variable '{variable}' holds a sha256: key without 64 hex digits after it");
                }
            }
        }

        return hashes.Distinct(StringComparer.Ordinal).ToList();
    }

    private static string? ToHash(string key)
    {
        if (!key.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return Hash(key);
        }

        var hex = key[Prefix.Length..];
        return hex.Length == 64 && hex.All(char.IsAsciiHexDigit) ? Convert.ToHexStringLower(Convert.FromHexString(hex)) : null;
    }
}
