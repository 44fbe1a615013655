using Yardmaster.Inference.Engine;

namespace Yardmaster.Server.ModelServer;

/// <summary>Settings of <c>yard model-server</c>.</summary>
public sealed class ModelServerOptions
{
    /// <summary>Path of the GGUF file to serve. Required.</summary>
    public string ModelPath { get; set; } = string.Empty;

    /// <summary>Model id in <c>/v1/models</c> and responses; default the file name without its extension.</summary>
    public string? Name { get; set; }

    /// <summary>Address to listen on. Default 127.0.0.1.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Port; 0 picks a free one. Default 8080.</summary>
    public int Port { get; set; } = 8080;

    /// <summary>
    /// Largest request body accepted, in bytes; null (the default) for <see cref="DefaultBodyLimit"/> of the
    /// engine's context length.
    /// </summary>
    public long? MaxRequestBodyBytes { get; set; }

    /// <summary>
    /// The default body limit for a context of <paramref name="contextTokens"/>: 64 bytes per token, at least
    /// 1 MiB. A token covers about 4 bytes of English text and rarely more than 16; JSON escaping can make a
    /// byte of text up to 6 (<c>\u00XX</c>), though non-ASCII text grows by less than 2 (<c>\uXXXX</c> for a
    /// 2- or 3-byte character); a prompt as token ids takes at most 8 bytes per token. So 64 bytes per token
    /// holds a full context of any real text, and a larger body could only be refused after reading it.
    /// A 4096-token context gets 1 MiB, a 128K one 8 MiB (before: 16 MiB for any context).
    /// </summary>
    public static long DefaultBodyLimit(int contextTokens) => Math.Max(1L << 20, 64L * contextTokens);

    /// <summary>Slots, context, threads and queue of the engine.</summary>
    public EngineOptions Engine { get; set; } = new();

    /// <summary>The console's log format (<c>--log-format</c>); warnings and errors only either way. Default text.</summary>
    public Logging.LogFormat LogFormat { get; set; } = Logging.LogFormat.Text;

    /// <summary>Every invalid setting, named; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>(Engine.Validate());
        if (string.IsNullOrWhiteSpace(ModelPath))
        {
            errors.Add("model: a GGUF file path is required");
        }
        else if (!File.Exists(ModelPath))
        {
            errors.Add($"model: file '{ModelPath}' does not exist");
        }

        if (MaxRequestBodyBytes is < 1)
        {
            errors.Add($"max-body must be at least 1 byte, got {MaxRequestBodyBytes}");
        }

        if (Port is < 0 or > 65535)
        {
            errors.Add($"port must be between 0 and 65535, got {Port}");
        }

        if (Name is { } name && (name.Length == 0 || name.Length > 256 || name.Any(char.IsWhiteSpace)))
        {
            errors.Add($"name must be 1 to 256 characters without spaces, got '{name}'");
        }

        return errors;
    }
}
