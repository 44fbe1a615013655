using System.Globalization;
using Yardmaster.Core.Units;

namespace Yardmaster.Core.History;

/// <summary>
/// A window of history, [<see cref="Since"/>, <see cref="Until"/>), as a user names it: <c>since</c> is a duration back from
/// now (<c>1h</c>, <c>7d</c>, <c>90m</c>) or an instant (ISO 8601, e.g. <c>2026-12-05T10:00:00Z</c>); <c>until</c> likewise,
/// default now.
/// </summary>
public sealed record TimeWindow(DateTimeOffset Since, DateTimeOffset Until)
{
    /// <summary>Reads <paramref name="since"/> and <paramref name="until"/> against <paramref name="now"/>; null with the error (naming the parameter) when either is not usable.</summary>
    public static TimeWindow? Parse(string since, string? until, DateTimeOffset now, out string? error)
    {
        ArgumentNullException.ThrowIfNull(since);
        if (!TryParseEnd(since, "since", now, out var start, out error))
        {
            return null;
        }

        var end = now;
        if (until is not null && !TryParseEnd(until, "until", now, out end, out error))
        {
            return null;
        }

        if (end <= start)
        {
            error = $"'until' ({end:O}) must be after 'since' ({start:O})";
            return null;
        }

        error = null;
        return new TimeWindow(start, end);
    }

    /// <summary>One end of a window: a duration back from <paramref name="now"/> or an ISO 8601 time; false with the error naming <paramref name="name"/> when neither.</summary>
    public static bool TryParseEnd(string text, string name, DateTimeOffset now, out DateTimeOffset at, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Quantities.TryParseDuration(text, out var back, out _))
        {
            at = now - back;
            error = null;
            return true;
        }

        if (text.Length >= 10 && char.IsAsciiDigit(text[0])
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out at))
        {
            error = null;
            return true;
        }

        at = default;
        error = $"'{name}' must be a duration back from now (e.g. 30m, 1h, 7d) or an ISO 8601 time (e.g. 2026-12-05T10:00:00Z), got '{text}'";
        return false;
    }
}
