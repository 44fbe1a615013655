using System.Text;

namespace Yardmaster.Simulation.Traces;

/// <summary>
/// One string per distinct name (model, task, class) of a trace, so a million rows naming 87 models hold 87 strings.
/// Holds at most <see cref="Capacity"/> names; past that it allocates. Not thread-safe.
/// </summary>
internal sealed class NamePool
{
    /// <summary>The most names kept.</summary>
    public const int Capacity = 4096;

    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public NamePool() => _lookup = _names.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The name whose UTF-8 bytes are <paramref name="utf8"/>; null when empty.</summary>
    public string? Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return null;
        }

        Span<char> chars = utf8.Length <= 256 ? stackalloc char[256] : new char[utf8.Length];
        var text = chars[..Encoding.UTF8.GetChars(utf8, chars)];
        if (_lookup.TryGetValue(text, out var name))
        {
            return name;
        }

        name = new string(text);
        if (_names.Count < Capacity)
        {
            _names[name] = name;
        }

        return name;
    }
}
