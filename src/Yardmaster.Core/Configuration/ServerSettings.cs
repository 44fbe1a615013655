namespace Yardmaster.Core.Configuration;

/// <summary><c>server:</c> where the gateway listens and what it accepts.</summary>
public sealed record ServerSettings
{
    /// <summary>Interface to bind. Default 127.0.0.1 (loopback only).</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one. Default 8080.</summary>
    public int Port { get; init; } = 8080;

    /// <summary>Largest request body, bytes (413 beyond). Default 1 MiB.</summary>
    public long MaxBodyBytes { get; init; } = 1 << 20;

    /// <summary>Longest prompt (all message contents together), characters (413 beyond). Default 256 Ki.</summary>
    public int MaxPromptChars { get; init; } = 256 * 1024;

    /// <summary>
    /// Web origins (<c>scheme://host[:port]</c>) besides the server's own whose pages may call it; a request
    /// with any other <c>Origin</c> header gets 403. Default none.
    /// </summary>
    public IReadOnlyList<string> CorsOrigins { get; init; } = [];

    /// <summary>
    /// <c>model_dirs</c>: folders (absolute, existing) whose files models created through <c>/api/models</c> may name,
    /// besides the model cache (<c>$YARD_HOME/models</c>). Default none. Models of the config file may name any file.
    /// </summary>
    public IReadOnlyList<string> ModelDirs { get; init; } = [];
}
