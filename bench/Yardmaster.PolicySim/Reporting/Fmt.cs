using System.Globalization;

namespace Yardmaster.PolicySim.Reporting;

/// <summary>Invariant-culture number formatting for the report.</summary>
internal static class Fmt
{
    public static string Seconds(double s) => double.IsNaN(s) ? "-" : s.ToString(s < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture);

    public static string Percent(double fraction) => double.IsNaN(fraction) ? "-" : (fraction * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    public static string Number(double x, string format) => x.ToString(format, CultureInfo.InvariantCulture);

    public static string Int(long x) => x.ToString("N0", CultureInfo.InvariantCulture);
}
