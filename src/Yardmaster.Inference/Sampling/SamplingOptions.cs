namespace Yardmaster.Inference.Sampling;

/// <summary>
/// How the next token is chosen. Applied in llama.cpp's order: penalties, top-k, top-p, min-p,
/// temperature, then a draw. Temperature 0 is greedy (arg max after penalties). Immutable.
/// </summary>
public sealed record SamplingOptions
{
    /// <summary>Greedy decoding with no penalties.</summary>
    public static readonly SamplingOptions Greedy = new() { Temperature = 0 };

    /// <summary>Softmax temperature in [0, 2]; 0 means greedy. Default 1.</summary>
    public float Temperature { get; init; } = 1f;

    /// <summary>Keep only the K most likely tokens; 0 disables. Default 40 (llama.cpp's default).</summary>
    public int TopK { get; init; } = 40;

    /// <summary>Keep the smallest set of tokens whose probability reaches P, in (0, 1]; 1 disables. Default 1.</summary>
    public float TopP { get; init; } = 1f;

    /// <summary>Drop tokens less likely than MinP times the most likely one, in [0, 1]; 0 disables. Default 0.</summary>
    public float MinP { get; init; }

    /// <summary>Divides positive (multiplies negative) logits of recent tokens, in (0, 10]; 1 disables. Default 1.</summary>
    public float RepetitionPenalty { get; init; } = 1f;

    /// <summary>Subtracted from a recent token's logit once per occurrence, in [-2, 2]. Default 0.</summary>
    public float FrequencyPenalty { get; init; }

    /// <summary>Subtracted once from the logit of any recent token, in [-2, 2]. Default 0.</summary>
    public float PresencePenalty { get; init; }

    /// <summary>How many recent tokens the penalties look at (prompt included). Default 64.</summary>
    public int PenaltyWindow { get; init; } = 64;

    /// <summary>Seed of the draw; the same seed, prompt and options give the same tokens. Null draws a seed.</summary>
    public ulong? Seed { get; init; }

    /// <summary>Every out-of-range option, described with its name; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!(Temperature is >= 0 and <= 2))
        {
            errors.Add($"temperature must be between 0 and 2, got {Temperature}");
        }

        if (TopK < 0)
        {
            errors.Add($"top_k must be 0 or more, got {TopK}");
        }

        if (!(TopP is > 0 and <= 1))
        {
            errors.Add($"top_p must be greater than 0 and at most 1, got {TopP}");
        }

        if (!(MinP is >= 0 and <= 1))
        {
            errors.Add($"min_p must be between 0 and 1, got {MinP}");
        }

        if (!(RepetitionPenalty is > 0 and <= 10))
        {
            errors.Add($"repetition_penalty must be greater than 0 and at most 10, got {RepetitionPenalty}");
        }

        if (!(FrequencyPenalty is >= -2 and <= 2))
        {
            errors.Add($"frequency_penalty must be between -2 and 2, got {FrequencyPenalty}");
        }

        if (!(PresencePenalty is >= -2 and <= 2))
        {
            errors.Add($"presence_penalty must be between -2 and 2, got {PresencePenalty}");
        }

        if (PenaltyWindow is < 0 or > 1 << 20)
        {
            errors.Add($"penalty window must be between 0 and {1 << 20}, got {PenaltyWindow}");
        }

        return errors;
    }
}
