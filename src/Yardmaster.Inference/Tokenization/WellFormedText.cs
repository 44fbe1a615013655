using System.Text;

namespace Yardmaster.Inference.Tokenization;

/// <summary>Makes .NET strings valid Unicode before tokenization.</summary>
internal static class WellFormedText
{
    /// <summary>
    /// Returns <paramref name="text"/> with every unpaired surrogate replaced by U+FFFD, the character
    /// that <see cref="Encoding.UTF8"/> and llama.cpp's UTF-8 decoder substitute for invalid input.
    /// Returns the same instance when there is nothing to replace.
    /// </summary>
    public static string ReplaceLoneSurrogates(string text)
    {
        var first = text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF');
        if (first < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        builder.Append(text.AsSpan(0, first));
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
            }
            else
            {
                builder.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
            }
        }

        return builder.ToString();
    }
}
