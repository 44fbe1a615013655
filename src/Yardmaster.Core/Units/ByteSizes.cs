using System.Globalization;

namespace Yardmaster.Core.Units;

/// <summary>Formats byte counts in binary units for people: <c>1.1 MiB</c>.</summary>
public static class ByteSizes
{
    /// <summary>The count in the largest binary unit that keeps it at least 1, with one decimal.</summary>
    public static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.0} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };
}
