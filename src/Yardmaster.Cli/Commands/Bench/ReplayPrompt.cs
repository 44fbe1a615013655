using System.Text;

namespace Yardmaster.Cli.Commands.Bench;

/// <summary>
/// The prompt text of a replayed request: as many words as the trace's prompt has tokens (a common English word is one
/// token of the Llama-2 vocabulary; more with a small vocabulary such as stories260K's), drawn from a fixed list by a
/// hash. With Mooncake's <c>hash_ids</c>, each 512-token block's words are drawn from the block's id, so requests that
/// share a prefix block share its text (and the engine's prefix reuse applies); otherwise from the request's index.
/// Pure and deterministic.
/// </summary>
internal static class ReplayPrompt
{
    private const int BlockTokens = 512;

    private static readonly string[] _words =
    [
        "the", "cat", "sat", "on", "a", "mat", "and", "dog", "ran", "to", "big", "red", "ball", "in", "park", "one",
        "day", "she", "he", "was", "happy", "little", "girl", "boy", "saw", "tree", "sun", "sky", "blue", "play", "with",
        "her", "his", "friend", "went", "home", "said", "look", "at", "bird", "fly", "good", "time", "it", "is", "fun",
    ];

    /// <summary>The prompt of <paramref name="tokens"/> words (at least one) for request <paramref name="index"/>.</summary>
    public static string Build(int tokens, int index, IReadOnlyList<long>? prefixBlocks)
    {
        var count = Math.Max(1, tokens);
        var text = new StringBuilder(count * 5);
        for (var k = 0; k < count; k++)
        {
            var block = k / BlockTokens;
            var seed = prefixBlocks is not null && block < prefixBlocks.Count
                ? Mix((ulong)prefixBlocks[block] + 0x5EED)
                : Mix(((ulong)index << 20) + (ulong)block + 1);
            var word = _words[(int)(Mix(seed + (ulong)(k % BlockTokens)) % (ulong)_words.Length)];
            if (k > 0)
            {
                text.Append(' ');
            }

            text.Append(word);
        }

        return text.ToString();
    }

    private static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
