namespace Yardmaster.Inference.Tokenization;

/// <summary>
/// Cuts special tokens out of the input as llama.cpp's <c>tokenizer_st_partition</c> does: each
/// special token in turn, longest first, splits every remaining raw fragment at each of its
/// occurrences. User-defined tokens are always cut out; control and unknown tokens only when special
/// parsing is on.
/// </summary>
internal static class SpecialTokenSplitter
{
    /// <summary>Splits <paramref name="text"/>; empty text gives no fragments.</summary>
    public static List<TextFragment> Split(string text, Vocabulary vocabulary, bool parseSpecial)
    {
        var fragments = new List<TextFragment>();
        if (text.Length == 0)
        {
            return fragments;
        }

        fragments.Add(new TextFragment(0, text.Length, -1));
        var next = new List<TextFragment>();
        foreach (var id in vocabulary.SpecialTokens)
        {
            if (!parseSpecial && vocabulary.Type(id) is TokenType.Control or TokenType.Unknown)
            {
                continue;
            }

            var special = vocabulary.Text(id);
            if (!text.Contains(special, StringComparison.Ordinal))
            {
                continue;
            }

            next.Clear();
            foreach (var fragment in fragments)
            {
                if (fragment.IsText)
                {
                    SplitFragment(text, fragment, special, id, next);
                }
                else
                {
                    next.Add(fragment);
                }
            }

            (fragments, next) = (next, fragments);
        }

        return fragments;
    }

    private static void SplitFragment(string text, TextFragment fragment, string special, int id, List<TextFragment> output)
    {
        var start = fragment.Start;
        var end = fragment.Start + fragment.Length;
        while (start < end)
        {
            var at = text.AsSpan(start, end - start).IndexOf(special, StringComparison.Ordinal);
            if (at < 0)
            {
                break;
            }

            if (at > 0)
            {
                output.Add(new TextFragment(start, at, -1));
            }

            output.Add(new TextFragment(start + at, special.Length, id));
            start += at + special.Length;
        }

        if (start < end)
        {
            output.Add(new TextFragment(start, end - start, -1));
        }
    }
}
