namespace Yardmaster.Core.Configuration;

/// <summary><c>store:</c> the SQLite file that keeps tasks, models and state.</summary>
public sealed record StoreSettings
{
    /// <summary>Path of the SQLite file; relative to the config file's folder. Null for <c>$YARD_HOME/yard.db</c> (or <c>--data</c>).</summary>
    public string? Path { get; init; }
}
