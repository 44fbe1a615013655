namespace Yardmaster.Core.Execution;

/// <summary>The outcome of <see cref="IStepExecutor.StartAsync"/>: a running attempt, or why it could not start.</summary>
public sealed record StepStart
{
    private StepStart(IStepProcess? process, string? error)
    {
        Process = process;
        Error = error;
    }

    /// <summary>The running attempt; null when it did not start.</summary>
    public IStepProcess? Process { get; }

    /// <summary>Why it did not start, for the user ("image 'x:y' is not present locally; ..."); null when it started.</summary>
    public string? Error { get; }

    /// <summary>Started.</summary>
    public static StepStart Started(IStepProcess process) => new(process ?? throw new ArgumentNullException(nameof(process)), null);

    /// <summary>Could not start, with the reason.</summary>
    public static StepStart Failed(string error) => new(null, error ?? throw new ArgumentNullException(nameof(error)));
}
