using Yardmaster.Inference.Llama;

namespace Yardmaster.Inference.Engine;

/// <summary>A KV cache and the tokens it holds, reused by successive sequences (a shared prompt prefix is not recomputed).</summary>
internal sealed class Slot(KvCache cache) : IDisposable
{
    public KvCache Cache { get; } = cache;

    /// <summary>Tokens whose keys and values are in <see cref="Cache"/>, in order.</summary>
    public List<int> Tokens { get; } = [];

    public Sequence? Sequence { get; set; }

    /// <summary>The embedding request computed in this slot, if any.</summary>
    public EmbeddingJob? Job { get; set; }

    /// <summary>Holds neither a sequence nor an embedding request.</summary>
    public bool Free => Sequence is null && Job is null;

    /// <summary>
    /// Length of the common prefix of <see cref="Tokens"/> and <paramref name="prompt"/>, leaving at least one prompt token to
    /// compute unless <paramref name="whole"/> (a resumed sequence, whose next token is already known, needs no logits).
    /// </summary>
    public int SharedPrefix(int[] prompt, bool whole = false)
    {
        var n = Math.Min(Tokens.Count, whole ? prompt.Length : prompt.Length - 1);
        var i = 0;
        while (i < n && Tokens[i] == prompt[i])
        {
            i++;
        }

        return i;
    }

    public void Dispose() => Cache.Dispose();
}
