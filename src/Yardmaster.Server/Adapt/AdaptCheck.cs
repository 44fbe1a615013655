namespace Yardmaster.Server.Adapt;

/// <summary>The last time <c>scheduler.adapt</c> looked, and what it concluded (<c>/api/adaptations</c>'s <c>last_check</c>).</summary>
/// <param name="At">When.</param>
/// <param name="Requests">Logged requests in the window it read.</param>
/// <param name="Verdict">What it did: <c>changed</c>, <c>no_change</c>, <c>too_few_requests</c>, <c>measuring</c>, <c>kept</c>, <c>reverted</c> or <c>failed</c>.</param>
/// <param name="Detail">In words.</param>
internal sealed record AdaptCheck(DateTimeOffset At, int Requests, string Verdict, string Detail);
