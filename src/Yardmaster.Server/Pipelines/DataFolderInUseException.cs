namespace Yardmaster.Server.Pipelines;

/// <summary>Another scheduler holds the data folder's lock; <see cref="Exception.Message"/> names it (pid, URL) and what to do.</summary>
public sealed class DataFolderInUseException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public DataFolderInUseException()
    {
    }

    /// <summary>Creates the exception with the message to print.</summary>
    public DataFolderInUseException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the message to print and its cause.</summary>
    public DataFolderInUseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
