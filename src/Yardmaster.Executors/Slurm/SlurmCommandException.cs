namespace Yardmaster.Executors.Slurm;

/// <summary>A Slurm command could not run or failed: a missing binary, an unreachable controller, a refusal. The message is for users.</summary>
public sealed class SlurmCommandException : Exception
{
    /// <summary>Creates it.</summary>
    public SlurmCommandException()
    {
    }

    /// <summary>Creates it with a message for users.</summary>
    public SlurmCommandException(string message)
        : base(message)
    {
    }

    /// <summary>Creates it with a message for users and its cause.</summary>
    public SlurmCommandException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
