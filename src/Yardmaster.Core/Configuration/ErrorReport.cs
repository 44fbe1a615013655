using System.Globalization;

namespace Yardmaster.Core.Configuration;

/// <summary>
/// How the errors of one validation are reported, the same by the CLI and the API: the first
/// <see cref="MaxShown"/> in full, then how many more there are, and the count in words ("1 error",
/// "5 errors"). A file with thousands of errors answers with a page, not megabytes. Pure.
/// </summary>
public static class ErrorReport
{
    /// <summary>How many errors are listed; the rest are only counted.</summary>
    public const int MaxShown = 100;

    /// <summary>The errors to list: the first <see cref="MaxShown"/>.</summary>
    public static IReadOnlyList<T> Shown<T>(IReadOnlyList<T> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return errors.Count <= MaxShown ? errors : [.. errors.Take(MaxShown)];
    }

    /// <summary>"and 42 more errors" when <paramref name="total"/> exceeds what <paramref name="shown"/> listed; else null.</summary>
    public static string? More(int shown, int total) =>
        total > shown ? string.Create(CultureInfo.InvariantCulture, $"and {total - shown} more {(total - shown == 1 ? "error" : "errors")}") : null;

    /// <summary>"1 error", "5 errors".</summary>
    public static string Count(int total) =>
        total == 1 ? "1 error" : string.Create(CultureInfo.InvariantCulture, $"{total} errors");
}
