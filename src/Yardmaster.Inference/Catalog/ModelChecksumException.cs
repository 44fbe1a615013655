namespace Yardmaster.Inference.Catalog;

/// <summary>
/// A downloaded model did not match its catalog checksum. The download has been deleted, so nothing
/// of it is left in the cache.
/// </summary>
public sealed class ModelChecksumException : Exception
{
    /// <summary>Creates the exception for <paramref name="fileName"/>.</summary>
    public ModelChecksumException(string fileName, string expectedSha256, string actualSha256, long bytes)
        : base($"{fileName}: SHA-256 mismatch: expected {expectedSha256}, got {actualSha256} ({bytes} bytes received); the download was deleted")
    {
        FileName = fileName;
        ExpectedSha256 = expectedSha256;
        ActualSha256 = actualSha256;
    }

    /// <summary>Creates the exception with a plain message.</summary>
    public ModelChecksumException()
        : this("model", string.Empty, string.Empty, 0)
    {
    }

    /// <summary>Creates the exception with a plain message.</summary>
    public ModelChecksumException(string message)
        : this(message, null!)
    {
    }

    /// <summary>Creates the exception with a plain message and an inner exception.</summary>
    public ModelChecksumException(string message, Exception innerException)
        : base(message, innerException)
    {
        FileName = string.Empty;
        ExpectedSha256 = string.Empty;
        ActualSha256 = string.Empty;
    }

    /// <summary>The file in the cache that was deleted.</summary>
    public string FileName { get; }

    /// <summary>The SHA-256 the catalog expects.</summary>
    public string ExpectedSha256 { get; }

    /// <summary>The SHA-256 of what was received.</summary>
    public string ActualSha256 { get; }
}
