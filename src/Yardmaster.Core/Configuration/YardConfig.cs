namespace Yardmaster.Core.Configuration;

/// <summary>The whole of <c>yard.yaml</c>, parsed and validated (<c>YardConfigLoader</c>).</summary>
public sealed record YardConfig
{
    /// <summary>The file it came from; null for the embedded default.</summary>
    public string? SourceFile { get; init; }

    /// <summary><c>server:</c>.</summary>
    public ServerSettings Server { get; init; } = new();

    /// <summary><c>store:</c>.</summary>
    public StoreSettings Store { get; init; } = new();

    /// <summary><c>devices:</c>.</summary>
    public DeviceSettings Devices { get; init; } = new();

    /// <summary><c>pool:</c>.</summary>
    public PoolSettings Pool { get; init; } = new();

    /// <summary><c>scheduler:</c>.</summary>
    public SchedulerSettings Scheduler { get; init; } = new();

    /// <summary><c>jobs:</c>.</summary>
    public JobSettings Jobs { get; init; } = new();

    /// <summary><c>history:</c>.</summary>
    public HistorySettings History { get; init; } = new();

    /// <summary><c>metrics:</c>.</summary>
    public MetricsSettings Metrics { get; init; } = new();

    /// <summary><c>tracing:</c>.</summary>
    public TracingSettings Tracing { get; init; } = new();

    /// <summary><c>auth:</c>.</summary>
    public AuthSettings Auth { get; init; } = new();

    /// <summary><c>models:</c>.</summary>
    public IReadOnlyList<ModelDefinition> Models { get; init; } = [];

    /// <summary><c>tasks:</c>.</summary>
    public IReadOnlyList<TaskDefinition> Tasks { get; init; } = [];
}
