using System.Globalization;

namespace Yardmaster.Inference.Synthetic;

/// <summary>Parses and prints parameter counts with SI-style suffixes: 260K, 15M, 1.5B.</summary>
public static class ParameterCount
{
    /// <summary>
    /// Parses plain digits (<c>15000000</c>) or a decimal number with a suffix K (10^3), M (10^6), B or
    /// G (10^9) or T (10^12), in either case (<c>15M</c>, <c>1.5b</c>). The result is rounded to a whole
    /// count and must be positive.
    /// </summary>
    public static bool TryParse(string? text, out long count)
    {
        count = 0;
        var s = text?.Trim() ?? string.Empty;
        if (s.Length == 0)
        {
            return false;
        }

        double multiplier = char.ToUpperInvariant(s[^1]) switch
        {
            'K' => 1e3,
            'M' => 1e6,
            'B' or 'G' => 1e9,
            'T' => 1e12,
            _ => 1,
        };
        var number = multiplier == 1 ? s : s[..^1];
        if (number.Length == 0 || !number.All(c => char.IsAsciiDigit(c) || c == '.')
            || !double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        var total = Math.Round(value * multiplier);
        if (total < 1 || total > long.MaxValue / 2)
        {
            return false;
        }

        count = (long)total;
        return true;
    }

    /// <summary>Prints <paramref name="count"/> with one decimal and a suffix: <c>107.3M</c>, <c>1.2B</c>, <c>512</c>.</summary>
    public static string Format(long count) => count switch
    {
        >= 1_000_000_000 => string.Create(CultureInfo.InvariantCulture, $"{count / 1e9:0.0#}B"),
        >= 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{count / 1e6:0.0}M"),
        >= 1_000 => string.Create(CultureInfo.InvariantCulture, $"{count / 1e3:0.0}K"),
        _ => count.ToString(CultureInfo.InvariantCulture),
    };
}
