namespace Yardmaster.Inference.Synthetic;

/// <summary>
/// Stock llama widths and the rule that picks a shape for a requested parameter count N:
/// <list type="number">
/// <item>for every row, count the real parameters at its stock depth with the requested vocabulary;</item>
/// <item>keep the row whose count is nearest to N by ratio (|ln(count / N)|; ties go to the smaller row);</item>
/// <item>re-choose that row's depth, from 1 to twice the stock depth, to bring the count nearest to N by ratio.</item>
/// </list>
/// The width therefore follows a well-known model and the depth absorbs the difference, so the real
/// count lands near N (e.g. 110M with the builtin 512-token vocabulary gives dim 768 × 15 layers, 107M).
/// Every row's widths are multiples of 32, so each shape can be quantized to Q8_0 and Q4_0.
/// </summary>
internal static class SyntheticShapeTable
{
    /// <summary>(dim, stock layers, heads, kv heads, ffn), after the models they come from.</summary>
    public static IReadOnlyList<(int Dim, int Layers, int Heads, int KvHeads, int FeedForward)> Rows { get; } =
    [
        (64, 5, 8, 4, 192),        // stories260K's width (ffn rounded up to 32)
        (128, 6, 8, 4, 384),       // about 1M
        (288, 6, 6, 6, 768),       // stories15M
        (512, 8, 8, 8, 1376),      // stories42M
        (768, 12, 12, 12, 2048),   // stories110M
        (1024, 24, 16, 16, 4096),  // about 400M to 500M
        (2048, 22, 32, 4, 5632),   // TinyLlama 1.1B
        (4096, 32, 32, 32, 11008), // Llama 2 7B
    ];

    public static SyntheticModelShape Choose(long parameters, int vocabSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(parameters);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabSize);

        SyntheticModelShape? best = null;
        foreach (var r in Rows)
        {
            var stock = new SyntheticModelShape(r.Dim, r.Layers, r.Heads, r.KvHeads, r.FeedForward, vocabSize);
            if (best is null || Distance(stock, parameters) < Distance(best, parameters))
            {
                best = stock;
            }
        }

        var chosen = best!;
        for (var layers = 1; layers <= 2 * best!.Layers; layers++)
        {
            var candidate = best with { Layers = layers };
            if (Distance(candidate, parameters) < Distance(chosen, parameters))
            {
                chosen = candidate;
            }
        }

        return chosen;
    }

    private static double Distance(SyntheticModelShape shape, long parameters) =>
        Math.Abs(Math.Log((double)shape.ParameterCount / parameters));
}
