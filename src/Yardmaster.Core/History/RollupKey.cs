using Yardmaster.Core.Statistics;

namespace Yardmaster.Core.History;

/// <summary>What one per-minute rollup row counts: the requests of one task on one model with one outcome and reason in one minute.</summary>
/// <param name="Minute">The minute's start, as Unix seconds (a multiple of 60).</param>
/// <param name="Task">The task.</param>
/// <param name="Model">The model that served them; empty when none did.</param>
/// <param name="Outcome">How they ended.</param>
/// <param name="Reason">The bounded refusal or failure reason (<see cref="RefusalReasons.Bounded"/>); empty for completed, cancelled and invalid requests.</param>
public readonly record struct RollupKey(long Minute, string Task, string Model, RequestOutcome Outcome, string Reason)
{
    /// <summary>The key of <paramref name="record"/>, in the minute of its end (<paramref name="at"/>).</summary>
    public static RollupKey Of(RequestRecord record, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(record);
        var reason = record.Outcome is RequestOutcome.Completed or RequestOutcome.Cancelled or RequestOutcome.Invalid ? "" : RefusalReasons.Bounded(record.Reason);
        return new RollupKey(MinuteOf(at), record.Task, record.Model ?? "", record.Outcome, reason);
    }

    /// <summary>The start of the minute holding <paramref name="at"/>, as Unix seconds.</summary>
    public static long MinuteOf(DateTimeOffset at) => at.ToUnixTimeSeconds() - (((at.ToUnixTimeSeconds() % 60) + 60) % 60);
}
