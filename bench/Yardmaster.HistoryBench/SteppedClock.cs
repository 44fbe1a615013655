namespace Yardmaster.HistoryBench;

/// <summary>A clock the benchmark moves by hand, so a day of requests is recorded in seconds.</summary>
internal sealed class SteppedClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
