using System.Text;

namespace Yardmaster.Simulation.Traces;

/// <summary>
/// The fields of one CSV line (RFC 4180 quoting: a field in double quotes may hold commas and doubled quotes; a quoted
/// line break is not supported, traces have none). Reused from line to line; not thread-safe.
/// </summary>
internal sealed class CsvFields
{
    private Range[] _fields = new Range[16];
    private bool[] _escaped = new bool[16];
    private byte[] _line = [];

    /// <summary>Fields in the last line split.</summary>
    public int Count { get; private set; }

    /// <summary>Splits <paramref name="line"/>; false (with why) for an unterminated quote or text after a closing quote.</summary>
    public bool Split(ReadOnlySpan<byte> line, out string? error)
    {
        error = null;
        if (_line.Length < line.Length)
        {
            _line = new byte[Math.Max(line.Length, _line.Length * 2)];
        }

        line.CopyTo(_line);
        Count = 0;
        var i = 0;
        while (true)
        {
            if (i < line.Length && line[i] == (byte)'"')
            {
                var start = i + 1;
                var escaped = false;
                var j = start;
                while (true)
                {
                    var q = line[j..].IndexOf((byte)'"');
                    if (q < 0)
                    {
                        error = $"field {Count + 1}: a quote opened at byte {i + 1} is not closed";
                        return false;
                    }

                    j += q;
                    if (j + 1 < line.Length && line[j + 1] == (byte)'"')
                    {
                        escaped = true;
                        j += 2;
                        continue;
                    }

                    break;
                }

                Add(start..j, escaped);
                i = j + 1;
                if (i == line.Length)
                {
                    return true;
                }

                if (line[i] != (byte)',')
                {
                    error = $"field {Count}: text after its closing quote";
                    return false;
                }

                i++;
                continue;
            }

            var comma = line[i..].IndexOf((byte)',');
            if (comma < 0)
            {
                Add(i..line.Length, false);
                return true;
            }

            Add(i..(i + comma), false);
            i += comma + 1;
        }
    }

    /// <summary>The raw bytes of field <paramref name="index"/> (quotes removed, doubled quotes still doubled), trimmed of spaces.</summary>
    public ReadOnlySpan<byte> this[int index] => _line.AsSpan(_fields[index]).Trim((byte)' ');

    /// <summary>Field <paramref name="index"/> as text (doubled quotes undone), null when empty; through <paramref name="pool"/> when given.</summary>
    public string? Text(int index, NamePool? pool = null)
    {
        var raw = this[index];
        if (raw.IsEmpty)
        {
            return null;
        }

        if (_escaped[index])
        {
            return Encoding.UTF8.GetString(raw).Replace("\"\"", "\"", StringComparison.Ordinal);
        }

        return pool is null ? Encoding.UTF8.GetString(raw) : pool.Get(raw);
    }

    private void Add(Range range, bool escaped)
    {
        if (Count == _fields.Length)
        {
            Array.Resize(ref _fields, Count * 2);
            Array.Resize(ref _escaped, Count * 2);
        }

        _fields[Count] = range;
        _escaped[Count] = escaped;
        Count++;
    }
}
