using System.Globalization;

namespace Yardmaster.Core.Units;

/// <summary>
/// Parses the quantities of configuration files and API bodies: sizes (<c>512MiB</c>, <c>8GiB</c>,
/// <c>1.5GB</c>, plain bytes), durations (<c>500ms</c>, <c>10s</c>, <c>5m</c>, <c>2h</c>, <c>1m30s</c>)
/// and rates (<c>50/s</c>, <c>600/m</c>). Each returns false with a message naming what is accepted.
/// </summary>
public static class Quantities
{
    private static readonly (string Suffix, long Factor)[] _sizeUnits =
    [
        ("KiB", 1L << 10), ("MiB", 1L << 20), ("GiB", 1L << 30), ("TiB", 1L << 40),
        ("KB", 1000L), ("MB", 1000_000L), ("GB", 1000_000_000L), ("TB", 1000_000_000_000L),
        ("K", 1L << 10), ("M", 1L << 20), ("G", 1L << 30), ("B", 1L),
    ];

    private static readonly (string Suffix, double Seconds)[] _timeUnits =
    [
        ("ms", 0.001), ("us", 0.000001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400),
    ];

    /// <summary>Sizes: a non-negative number with an optional unit (B, KiB, MiB, GiB, TiB, KB, MB, GB, TB; K/M/G mean KiB/MiB/GiB).</summary>
    public static bool TryParseSize(string? text, out long bytes, out string? error)
    {
        bytes = 0;
        var s = text?.Trim() ?? string.Empty;
        var factor = 1L;
        foreach (var (suffix, f) in _sizeUnits)
        {
            if (s.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && s.Length > suffix.Length)
            {
                factor = f;
                s = s[..^suffix.Length].TrimEnd();
                break;
            }
        }

        if (!double.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value * factor > long.MaxValue)
        {
            error = $"'{text}' is not a size; use a number of bytes or a number with a unit, e.g. 512MiB, 8GiB, 1.5GB";
            return false;
        }

        bytes = (long)Math.Round(value * factor);
        error = null;
        return true;
    }

    /// <summary>Durations: one or more number-unit pairs (ms, us, s, m, h, d), e.g. <c>1m30s</c>; a bare <c>0</c> is zero.</summary>
    public static bool TryParseDuration(string? text, out TimeSpan duration, out string? error)
    {
        duration = TimeSpan.Zero;
        error = $"'{text}' is not a duration; use a number with a unit, e.g. 500ms, 10s, 5m, 2h, 1m30s";
        var s = text?.Trim() ?? string.Empty;
        if (s == "0")
        {
            error = null;
            return true;
        }

        var seconds = 0.0;
        var i = 0;
        var any = false;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (i == start || !double.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            var unitStart = i;
            while (i < s.Length && char.IsAsciiLetter(s[i]))
            {
                i++;
            }

            var unit = s[unitStart..i];
            var match = Array.FindIndex(_timeUnits, u => u.Suffix == unit);
            if (match < 0)
            {
                return false;
            }

            seconds += number * _timeUnits[match].Seconds;
            any = true;
        }

        if (!any || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }

        // Rounded to the tick: FromSeconds truncates, so 760us (0.00076 s as a double) would lose a tick.
        duration = TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
        error = null;
        return true;
    }

    /// <summary>Rates: <c>N/s</c>, <c>N/m</c> or <c>N/h</c> with N positive; returns requests per second.</summary>
    public static bool TryParseRate(string? text, out double perSecond, out string? error)
    {
        perSecond = 0;
        error = $"'{text}' is not a rate; use a positive number per unit, e.g. 50/s, 600/m, 1000/h";
        var s = text?.Trim() ?? string.Empty;
        var slash = s.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !double.TryParse(s.AsSpan(0, slash), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var count) || count <= 0)
        {
            return false;
        }

        double? per = s[(slash + 1)..].Trim() switch
        {
            "s" or "sec" or "second" => 1,
            "m" or "min" or "minute" => 60,
            "h" or "hour" => 3600,
            _ => null,
        };
        if (per is not { } seconds)
        {
            return false;
        }

        perSecond = count / seconds;
        error = null;
        return true;
    }
}
