using System.Globalization;

namespace Yardmaster.Core.Registry;

/// <summary>The rules every <see cref="ModelQuality"/> keeps, and the 95% interval of a mean score. Pure.</summary>
public static class ModelQualities
{
    /// <summary>The normal quantile of a two-sided 95% interval.</summary>
    private const double Z = 1.959963984540054;

    /// <summary>What is wrong with <paramref name="quality"/> (field, then the rule), or null when it keeps every rule.</summary>
    public static (string Field, string Message)? Check(ModelQuality quality)
    {
        ArgumentNullException.ThrowIfNull(quality);
        static bool Fraction(double v) => double.IsFinite(v) && v is >= 0 and <= 1;
        if (string.IsNullOrEmpty(quality.Metric) || !Configuration.DefinitionValidator.IsValidName(quality.Metric))
        {
            return ("metric", "must be a name of letters, digits and . _ : -");
        }

        if (!Fraction(quality.Score))
        {
            return ("score", Shown("must be in [0, 1]", quality.Score));
        }

        if (quality.Count < 1)
        {
            return ("count", string.Create(CultureInfo.InvariantCulture, $"must be at least 1 (was {quality.Count})"));
        }

        if (!Fraction(quality.Low) || quality.Low > quality.Score)
        {
            return ("low", Shown("must be in [0, score]", quality.Low));
        }

        return !Fraction(quality.High) || quality.High < quality.Score ? ("high", Shown("must be in [score, 1]", quality.High)) : null;
    }

    /// <summary>
    /// The 95% interval of a mean of scores in [0, 1]: the Wilson score interval with the mean as the proportion (exact
    /// for pass/fail scores, and conservative for graded ones, whose variance is at most the proportion's), clamped to
    /// [0, 1] and to contain the mean.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1 or <paramref name="mean"/> is outside [0, 1].</exception>
    public static (double Low, double High) Interval(double mean, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (!double.IsFinite(mean) || mean is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(mean), mean, "a mean score is in [0, 1]");
        }

        var n = (double)count;
        var z2 = Z * Z;
        var centre = (mean + (z2 / (2 * n))) / (1 + (z2 / n));
        var half = Z / (1 + (z2 / n)) * Math.Sqrt((mean * (1 - mean) / n) + (z2 / (4 * n * n)));
        return (Math.Clamp(Math.Min(centre - half, mean), 0, 1), Math.Clamp(Math.Max(centre + half, mean), 0, 1));
    }

    private static string Shown(string rule, double value) => string.Create(CultureInfo.InvariantCulture, $"{rule} (was {value})");
}
