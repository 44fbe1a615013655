namespace Yardmaster.QuartzBench;

/// <summary>
/// Counts executed jobs across Quartz's worker threads and completes <see cref="AllDone"/> when the
/// expected number have run. Static because Quartz builds the job instances; one run at a time.
/// </summary>
internal static class Completions
{
    private static int _count;
    private static int _expected;
    private static TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when <see cref="Reset"/>'s count of jobs have executed.</summary>
    public static Task AllDone => _done.Task;

    public static int Count => Volatile.Read(ref _count);

    public static void Reset(int expected)
    {
        _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _expected, expected);
        Volatile.Write(ref _count, 0);
    }

    public static void Add()
    {
        if (Interlocked.Increment(ref _count) == Volatile.Read(ref _expected))
        {
            _done.TrySetResult();
        }
    }
}
