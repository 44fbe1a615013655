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

    /// <summary>Largest request body accepted, in bytes. Default 16 MiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 16L << 20;

    /// <summary>Slots, context, threads and queue of the engine.</summary>
    public EngineOptions Engine { get; set; } = new();

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
