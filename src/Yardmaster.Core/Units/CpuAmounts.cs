using System.Globalization;

namespace Yardmaster.Core.Units;

/// <summary>CPU amounts as Kubernetes spells them: cores (<c>1</c>, <c>0.5</c>, <c>2.5</c>) or millicores (<c>500m</c>).</summary>
public static class CpuAmounts
{
    /// <summary>The smallest hard CPU limit: 10m, a CFS quota of 1 ms in each 100 ms period (the kernel's minimum quota).</summary>
    public const long MinimumLimitMillis = 10;

    /// <summary>Parses cores or millicores into millicores; false with a message for anything else or a negative amount.</summary>
    public static bool TryParse(string? text, out long millis, out string? error)
    {
        millis = 0;
        var s = text?.Trim() ?? string.Empty;
        var factor = 1000.0;
        if (s.EndsWith('m') && s.Length > 1)
        {
            factor = 1;
            s = s[..^1];
        }

        if (!double.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value * factor > 1e12)
        {
            error = $"'{text}' is not a CPU amount; use cores (1, 0.5, 2) or millicores (500m)";
            return false;
        }

        millis = (long)Math.Round(value * factor);
        error = null;
        return true;
    }

    /// <summary>Whole cores as a plain number (<c>2</c>), anything else in millicores (<c>1500m</c>).</summary>
    public static string Format(long millis) =>
        millis % 1000 == 0 ? (millis / 1000).ToString(CultureInfo.InvariantCulture) : millis.ToString(CultureInfo.InvariantCulture) + "m";
}
