namespace Yardmaster.Core.Cluster;

/// <summary>A fenced write was refused: this instance no longer holds the scheduler's lease at its epoch. Nothing was written.</summary>
public sealed class StoreFencedException : IOException
{
    /// <summary>Creates the exception with the message.</summary>
    public StoreFencedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public StoreFencedException()
        : base("this instance no longer holds the scheduler's lease")
    {
    }

    /// <summary>Creates the exception with the message and its cause.</summary>
    public StoreFencedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The message for <paramref name="fence"/>.</summary>
    public static StoreFencedException For(LeaseFence fence) =>
        new($"the store refused a write: instance {fence.HolderId} no longer holds the scheduler's lease at epoch {fence.Epoch} (another instance took it over)");
}
