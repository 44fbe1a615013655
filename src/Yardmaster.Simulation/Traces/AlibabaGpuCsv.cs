using System.Globalization;

namespace Yardmaster.Simulation.Traces;

/// <summary>The CSV of the openb node and pod lists: a header naming the columns, then comma-separated rows without quoting.</summary>
/// <summary>Parses one row of fields (split on commas, as many as the header's) at the given column indexes; null with the problem when malformed.</summary>
internal delegate T? RowParser<T>(long line, string[] fields, int[] at, out string? problem);

internal static class AlibabaGpuCsv
{
    /// <summary>
    /// The well-formed rows of an openb CSV, in file order: the header checked against <paramref name="columns"/>, then
    /// each non-empty line split on commas, one with another number of fields than the header reported to
    /// <paramref name="problems"/> by line, the rest given to <paramref name="parse"/> (the line, the fields, the column
    /// indexes), whose null is reported with the problem it gives.
    /// </summary>
    /// <exception cref="TraceFormatException">A missing or wrong header; a malformed row with <see cref="TraceProblems.Strict"/>.</exception>
    public static async Task<IReadOnlyList<T>> ReadAsync<T>(
        TextReader reader, TraceProblems problems, IReadOnlyList<string> columns, RowParser<T> parse, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(problems);
        var header = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        var at = Columns(problems.File, header, columns);
        var width = header!.Split(',').Length;
        var rows = new List<T>();
        long line = 1;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } text)
        {
            line++;
            if (text.Length == 0)
            {
                continue;
            }

            var fields = text.Split(',');
            string? problem;
            if (fields.Length != width)
            {
                problem = $"{fields.Length} columns where the header has {width}";
            }
            else if (parse(line, fields, at, out problem) is { } row)
            {
                rows.Add(row);
                continue;
            }

            problems.Add(line, problem!);
        }

        return rows;
    }

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
