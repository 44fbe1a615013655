using System.Globalization;
using System.Text;

namespace Yardmaster.Inference.Tokenization;

/// <summary>
/// Lets .NET's UTF-16 regular expressions see one character per code point, as llama.cpp's splitter does.
/// A code point outside the Basic Multilingual Plane is two UTF-16 surrogates that <c>\p{L}</c> never
/// matches, so <c>𝐀</c> or <c>𠀀</c> would split like punctuation. Collapsing replaces each such code point
/// by a BMP stand-in of the same Unicode category and records where every collapsed character came from.
/// </summary>
internal static class CodePointCollapse
{
    // One stand-in per UnicodeCategory, in enum order; none is ASCII, so no ASCII-specific pattern matches it.
    private const string StandIns =
        "\u00C0\u00DF\u01C5\u02B0\u00AA\u0300\u0903\u20DD\u0660\u2160\u00B2\u00A0\u2028\u2029\u0080"
        + "\u00AD\uFFFD\uE000\u203F\u2010\u2045\u2046\u00AB\u00BB\u00A1\u00AC\u00A2\u00B4\u00A6\u0378";

    /// <summary>The stand-in for a code point of <paramref name="category"/>.</summary>
    public static char StandIn(UnicodeCategory category) => StandIns[(int)category];

    /// <summary>
    /// Collapses <paramref name="text"/> (well-formed UTF-16). <paramref name="map"/> has one entry per
    /// collapsed character plus one: the index in <paramref name="text"/> where it starts, then the length.
    /// </summary>
    public static char[] Collapse(ReadOnlySpan<char> text, out int[] map)
    {
        var collapsed = new List<char>(text.Length);
        var starts = new List<int>(text.Length + 1);
        var index = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            starts.Add(index);
            collapsed.Add(rune.IsBmp ? (char)rune.Value : StandIn(Rune.GetUnicodeCategory(rune)));
            index += rune.Utf16SequenceLength;
        }

        starts.Add(index);
        map = [.. starts];
        return [.. collapsed];
    }
}
