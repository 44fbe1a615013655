using System.Globalization;

namespace Yardmaster.Simulation.Traces;

/// <summary>The CSV of the openb node and pod lists: a header naming the columns, then comma-separated rows without quoting.</summary>
internal static class AlibabaGpuCsv
{
    /// <summary>The index of each of <paramref name="expected"/> in <paramref name="header"/> (in any order; other columns are ignored).</summary>
    /// <exception cref="TraceFormatException">No header, or one without an expected column; the message names them all.</exception>
    public static int[] Columns(string file, string? header, IReadOnlyList<string> expected)
    {
        var names = (header ?? "").TrimStart('\uFEFF').Split(',').Select(n => n.Trim()).ToList();
        var missing = expected.Where(e => !names.Contains(e)).ToList();
        if (header is null || missing.Count > 0)
        {
            var found = header is null ? "an empty file" : $"'{Shorten(header)}'";
            throw new TraceFormatException($"{file}:1: expected a header with the columns {string.Join(",", expected)}; found {found} (missing {string.Join(", ", missing)})");
        }

        return [.. expected.Select(e => names.IndexOf(e))];
    }

    /// <summary>Column <paramref name="index"/> of <paramref name="fields"/> as a whole number ≥ 0; null (with the problem in <paramref name="problem"/>) when it is not.</summary>
    public static long? Count(string[] fields, int index, string column, out string? problem)
    {
        var text = fields[index].Trim();
        problem = null;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        problem = $"{column} '{Shorten(text)}' is not a whole number ≥ 0";
        return null;
    }

    /// <summary>Text cut to 40 characters for a message.</summary>
    public static string Shorten(string text) => text.Length <= 40 ? text : text[..39] + "…";
}
