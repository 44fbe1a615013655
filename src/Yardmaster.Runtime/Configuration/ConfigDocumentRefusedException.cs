namespace Yardmaster.Runtime.Configuration;

/// <summary>
/// Thrown inside <see cref="ConfigNodeParser"/> when a document is refused before it is read to its end (too
/// deep, aliases that repeat too much, a recursive alias); the parser turns it into one located error.
/// Never escapes the parser.
/// </summary>
internal sealed class ConfigDocumentRefusedException : Exception
{
    public ConfigDocumentRefusedException()
    {
    }

    public ConfigDocumentRefusedException(string message)
        : base(message)
    {
    }

    public ConfigDocumentRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ConfigDocumentRefusedException(long line, long column, string message)
        : base(message)
    {
        Line = (int)Math.Max(1, line);
        Column = (int)Math.Max(1, column);
    }

    /// <summary>1-based line of the node that was refused.</summary>
    public int Line { get; } = 1;

    /// <summary>1-based column of the node that was refused.</summary>
    public int Column { get; } = 1;
}
