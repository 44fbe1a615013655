namespace Yardmaster.Core.Configuration;

/// <summary><c>tracing:</c> OpenTelemetry traces (a span per request and per step attempt) over OTLP.</summary>
public sealed record TracingSettings
{
    /// <summary><c>tracing.otlp_endpoint</c>: the collector's OTLP/HTTP URL (e.g. <c>http://127.0.0.1:4318</c>); null: no traces (default).</summary>
    public Uri? OtlpEndpoint { get; init; }

    /// <summary><c>tracing.service_name</c>: the <c>service.name</c> resource attribute (default "yardmaster").</summary>
    public string ServiceName { get; init; } = "yardmaster";
}
