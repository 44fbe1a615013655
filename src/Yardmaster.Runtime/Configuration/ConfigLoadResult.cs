using Yardmaster.Core.Configuration;

namespace Yardmaster.Runtime.Configuration;

/// <summary>What <see cref="YardConfigLoader"/> found: the configuration, or every error with its position.</summary>
/// <param name="Config">The configuration; null when there are errors.</param>
/// <param name="Errors">Every error, in file order where known; empty on success.</param>
public sealed record ConfigLoadResult(YardConfig? Config, IReadOnlyList<ConfigError> Errors)
{
    /// <summary>True when the configuration loaded without errors.</summary>
    public bool Success => Config is not null;
}
