namespace Yardmaster.Cli.Commands;

/// <summary>How a command prints its result.</summary>
internal enum OutputFormat
{
    /// <summary>One human-readable line (and progress while working).</summary>
    Text,

    /// <summary>One JSON object on standard output and nothing else there.</summary>
    Json,
}
