using Yardmaster.Core.Pipelines;

namespace Yardmaster.Runtime.Pipelines;

/// <summary>
/// How many runs the scheduler holds and how many have ended (by state, since it started), and the steps of the
/// runs it holds by state: for gauges that are read without asking the loop.
/// </summary>
/// <remarks>Written by the scheduler's loop only; read from any thread (each number on its own, not a consistent set).</remarks>
public sealed class JobCounts
{
    private readonly long[] _steps = new long[Enum.GetValues<StepState>().Length];
    private readonly long[] _runsEnded = new long[Enum.GetValues<RunState>().Length];
    private long _runsActive;

    /// <summary>Runs the scheduler holds (not ended, or ended this turn).</summary>
    public long RunsActive => Volatile.Read(ref _runsActive);

    /// <summary>Runs that ended in <paramref name="state"/> since the scheduler started.</summary>
    public long RunsEnded(RunState state) => Volatile.Read(ref _runsEnded[(int)state]);

    /// <summary>Steps of the runs the scheduler holds that are in <paramref name="state"/>.</summary>
    public long Steps(StepState state) => Volatile.Read(ref _steps[(int)state]);

    internal void Admitted(IEnumerable<StepState> steps)
    {
        Interlocked.Increment(ref _runsActive);
        foreach (var state in steps)
        {
            Interlocked.Increment(ref _steps[(int)state]);
        }
    }

    internal void Removed(IEnumerable<StepState> steps)
    {
        Interlocked.Decrement(ref _runsActive);
        foreach (var state in steps)
        {
            Interlocked.Decrement(ref _steps[(int)state]);
        }
    }

    internal void Moved(StepState from, StepState to)
    {
        Interlocked.Decrement(ref _steps[(int)from]);
        Interlocked.Increment(ref _steps[(int)to]);
    }

    internal void Ended(RunState state) => Interlocked.Increment(ref _runsEnded[(int)state]);
}
