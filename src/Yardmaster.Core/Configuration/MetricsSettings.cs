namespace Yardmaster.Core.Configuration;

/// <summary><c>metrics:</c> the Prometheus endpoint <c>/metrics</c>.</summary>
public sealed record MetricsSettings
{
    /// <summary><c>metrics.enabled</c>: serve <c>/metrics</c> and record the instruments (default true).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary><c>metrics.public</c>: scrape without the admin key (default false: the same rule as <c>/api</c>).</summary>
    public bool Public { get; init; }
}
