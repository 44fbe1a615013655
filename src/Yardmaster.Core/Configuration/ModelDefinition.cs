namespace Yardmaster.Core.Configuration;

/// <summary>
/// A model as declared in <c>yard.yaml</c> (<c>models:</c>) or through <c>/api/models</c>. Immutable;
/// validated by <c>DefinitionValidator</c>. Sizes are bytes, durations <see cref="TimeSpan"/>.
/// </summary>
public sealed record ModelDefinition
{
    /// <summary>The public name (also accepted as <c>model</c> in OpenAI requests). Letters, digits, <c>.-_:/</c>.</summary>
    public required string Name { get; init; }

    /// <summary>How it runs.</summary>
    public BackendKind Backend { get; init; } = BackendKind.Builtin;

    /// <summary>The GGUF file (builtin; <c>{path}</c> for process). Relative paths are resolved against the config file's folder.</summary>
    public string? Path { get; init; }

    /// <summary>The process backend's command line, with placeholders <c>{path}</c>, <c>{port}</c>, <c>{slots}</c>, <c>{threads}</c>, <c>{context}</c>. Only from the config file, never from the API.</summary>
    public string? Command { get; init; }

    /// <summary>
    /// The container image a <c>kubernetes</c> replica's pod runs <see cref="Command"/> in (replacing the image's
    /// entrypoint); required for that backend, refused for the others.
    /// </summary>
    public string? Image { get; init; }

    /// <summary>The http backend's base URL, ending in <c>/v1</c> as OpenAI clients expect.</summary>
    public Uri? Url { get; init; }

    /// <summary>The environment variable holding the http backend's API key (sent as a bearer token).</summary>
    public string? ApiKeyEnv { get; init; }

    /// <summary>The model name sent upstream (process and http backends); default: the upstream's own name as listed by its <c>/v1/models</c>, else <see cref="Name"/>.</summary>
    public string? UpstreamModel { get; init; }

    /// <summary>The device whose memory budget the replicas use. Default cpu.</summary>
    public DeviceKind Device { get; init; } = DeviceKind.Cpu;

    /// <summary>Declared footprint per replica in bytes; null to estimate (file size + KV cache), then measured after load.</summary>
    public long? Memory { get; init; }

    /// <summary>Concurrent requests per replica. Default 4.</summary>
    public int Slots { get; init; } = 4;

    /// <summary>Context length in tokens per slot (builtin and process); null for the model's own, capped at 2048.</summary>
    public int? Context { get; init; }

    /// <summary>Compute threads per replica (builtin and process); null for one per core.</summary>
    public int? Threads { get; init; }

    /// <summary>Replicas kept warm (loaded even when idle). Default 0.</summary>
    public int ReplicasMin { get; init; }

    /// <summary>Most replicas at once. Default 1.</summary>
    public int ReplicasMax { get; init; } = 1;

    /// <summary>Idle time before an unneeded replica is unloaded; null never, zero at once. Default 5 minutes.</summary>
    public TimeSpan? KeepAlive { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A pinned model is never evicted to make room for another.</summary>
    public bool Pinned { get; init; }

    /// <summary>
    /// <c>preempt</c>: the replica's engine serves its requests by priority class and lets a more urgent request take a less
    /// urgent one's slot (which waits and resumes), so the gateway may hand a request to a replica whose slots all hold less
    /// urgent requests. Null for the default: true for <c>builtin</c>, false otherwise (set it for a process backend running
    /// <c>yard model-server</c>, which reads the class from <c>X-Yard-Priority</c>).
    /// </summary>
    public bool? Preempt { get; init; }

    /// <summary>True when its replicas preempt inside their engine (<see cref="Preempt"/>, by default for <c>builtin</c>).</summary>
    public bool PreemptsInEngine => Preempt ?? Backend == BackendKind.Builtin;

    /// <summary>How long a process backend may take to answer its readiness probe. Default 60 s.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Between SIGTERM and SIGKILL when a process backend stops. Default 10 s.</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Relative cost of serving one request (e.g. price or energy); selection prefers cheaper among equally fast. Default 1.</summary>
    public double Cost { get; init; } = 1;

    /// <summary>The token model <c>yard simulate</c> and <c>yard tune</c> serve it with (<c>simulation:</c>); null for the simulator's default. Not used live.</summary>
    public ModelSpeedSettings? Simulation { get; init; }

    /// <summary>True when the definition came from the config file (the API cannot change or remove it, nor create process backends).</summary>
    public bool FromConfig { get; init; }
}
