namespace Yardmaster.Core.Configuration;

/// <summary>
/// <c>auth:</c> API keys. Keys are kept only as SHA-256 hashes (lower-case hex). With no keys of a kind,
/// that surface is open (the server binds loopback by default).
/// </summary>
public sealed record AuthSettings
{
    /// <summary>Hashes of the keys accepted on <c>/v1/*</c> (admin keys are accepted there too).</summary>
    public IReadOnlyList<string> ApiKeyHashes { get; init; } = [];

    /// <summary>Hashes of the keys accepted on <c>/api/*</c>.</summary>
    public IReadOnlyList<string> AdminKeyHashes { get; init; } = [];
}
