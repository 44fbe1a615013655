using System.Text;

namespace Yardmaster.Simulation.Traces;

/// <summary>The columns a CSV trace's first line names, found by name (case-insensitive).</summary>
internal sealed class CsvHeader
{
    private readonly Dictionary<string, int> _columns = new(StringComparer.OrdinalIgnoreCase);

    private CsvHeader(CsvFields fields)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            _columns.TryAdd(Encoding.UTF8.GetString(fields[i]), i);
        }

        Width = fields.Count;
    }

    /// <summary>How many columns the header has.</summary>
    public int Width { get; }

    /// <summary>
    /// Reads the header from the first line of <paramref name="lines"/> and checks that it has every one of
    /// <paramref name="required"/>; throws otherwise.
    /// </summary>
    /// <exception cref="TraceFormatException">The file is empty, or a required column is missing: the message names the file, the format and the columns expected.</exception>
    public static CsvHeader Read(Utf8LineReader lines, CsvFields fields, string file, string format, IReadOnlyList<string> required)
    {
        var expected = $"{format} traces start with a header naming the columns {string.Join(",", required)}";
        if (!lines.TryRead(out var line))
        {
            throw new TraceFormatException($"{file}: the file is empty; {expected}");
        }

        if (!fields.Split(line, out var error))
        {
            throw new TraceFormatException($"{file}:1: the header cannot be read ({error}); {expected}");
        }

        var header = new CsvHeader(fields);
        var missing = required.Where(c => header.Find(c) < 0).ToList();
        if (missing.Count > 0)
        {
            var first = TraceRows.Shown(line);
            throw new TraceFormatException($"{file}:1: the header '{first}' has no column {string.Join(", ", missing)}; {expected}");
        }

        return header;
    }

    /// <summary>The index of the first of <paramref name="names"/> the header has; -1 when it has none.</summary>
    public int Find(params ReadOnlySpan<string> names)
    {
        foreach (var name in names)
        {
            if (_columns.TryGetValue(name, out var index))
            {
                return index;
            }
        }

        return -1;
    }
}
