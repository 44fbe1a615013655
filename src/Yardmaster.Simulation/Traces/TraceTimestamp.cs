using System.Globalization;
using System.Text;

namespace Yardmaster.Simulation.Traces;

/// <summary>
/// The wall-clock times of CSV traces (<c>2023-11-16 18:15:46.6805900</c>, <c>2024-11-15 16:57:50</c>): read without a
/// string on the fast path, else as any ISO 8601 time (with an offset, converted to UTC). Pure.
/// </summary>
internal static class TraceTimestamp
{
    /// <summary>The form the messages name.</summary>
    public const string Form = "yyyy-MM-dd HH:mm:ss[.fffffff]";

    /// <summary>Ticks (UTC when the text has an offset, else as written) of <paramref name="text"/>; false when it is no time.</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out long ticks)
    {
        if (TryFixed(text, out ticks))
        {
            return true;
        }

        var ok = DateTimeOffset.TryParse(Encoding.UTF8.GetString(text), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time);
        ticks = ok ? time.UtcTicks : 0;
        return ok;
    }

    private static bool TryFixed(ReadOnlySpan<byte> t, out long ticks)
    {
        ticks = 0;
        if (t.Length < 19 || t[4] != '-' || t[7] != '-' || (t[10] != ' ' && t[10] != 'T') || t[13] != ':' || t[16] != ':')
        {
            return false;
        }

        if (!Digits(t[..4], out var year) || !Digits(t[5..7], out var month) || !Digits(t[8..10], out var day)
            || !Digits(t[11..13], out var hour) || !Digits(t[14..16], out var minute) || !Digits(t[17..19], out var second))
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        long fraction = 0;
        var rest = t[19..];
        if (rest.Length > 0 && rest[^1] == 'Z')
        {
            rest = rest[..^1];
        }

        if (rest.Length > 0)
        {
            if (rest[0] != '.' || rest.Length < 2 || rest.Length > 8 || !Digits(rest[1..], out var f))
            {
                return false;
            }

            fraction = f;
            for (var i = rest.Length - 1; i < 7; i++)
            {
                fraction *= 10;
            }
        }

        ticks = new DateTime(year, month, day, hour, minute, second).Ticks + fraction;
        return true;
    }

    private static bool Digits(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        foreach (var b in text)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        return true;
    }
}
