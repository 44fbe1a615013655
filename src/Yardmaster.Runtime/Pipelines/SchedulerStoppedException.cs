namespace Yardmaster.Runtime.Pipelines;

/// <summary>
/// The job scheduler stopped (shut down, or this instance lost the scheduler's lease) before it answered a change: the
/// change may or may not be durable, so a caller should look before sending it again.
/// </summary>
public sealed class SchedulerStoppedException : InvalidOperationException
{
    /// <summary>Creates the exception with the message.</summary>
    public SchedulerStoppedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public SchedulerStoppedException()
        : base("the job scheduler stopped before it could confirm the change (this instance shut down or lost the scheduler's lease)")
    {
    }

    /// <summary>Creates the exception with the message and its cause.</summary>
    public SchedulerStoppedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
