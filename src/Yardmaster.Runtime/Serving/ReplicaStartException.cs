namespace Yardmaster.Runtime.Serving;

/// <summary>A replica could not be started; the message says why (missing file, command not found, not ready in time, with the log's last lines).</summary>
public sealed class ReplicaStartException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ReplicaStartException()
    {
    }

    /// <summary>Creates the exception with its reason.</summary>
    public ReplicaStartException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its reason and cause.</summary>
    public ReplicaStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
