using System.Globalization;

namespace Yardmaster.Core.Units;

/// <summary>Formats durations the way <see cref="Quantities.TryParseDuration"/> reads them back.</summary>
public static class Durations
{
    private static readonly (string Suffix, long Ticks)[] _units =
    [
        ("d", TimeSpan.TicksPerDay), ("h", TimeSpan.TicksPerHour), ("m", TimeSpan.TicksPerMinute),
        ("s", TimeSpan.TicksPerSecond), ("ms", TimeSpan.TicksPerMillisecond), ("us", TimeSpan.TicksPerMicrosecond),
    ];

    /// <summary>
    /// The duration as a whole number of the largest unit that divides it exactly (<c>500ms</c>, <c>90s</c>,
    /// <c>5m</c>, <c>2h</c>); zero is <c>0s</c>. Below a microsecond the value is written in (fractional)
    /// microseconds, which may not read back to the exact tick. Negative durations are refused.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is negative.</exception>
    public static string Format(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        if (duration == TimeSpan.Zero)
        {
            return "0s";
        }

        var ticks = duration.Ticks;
        foreach (var (suffix, unit) in _units)
        {
            if (ticks % unit == 0)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{ticks / unit}{suffix}");
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"{ticks / (double)TimeSpan.TicksPerMicrosecond}us");
    }
}
