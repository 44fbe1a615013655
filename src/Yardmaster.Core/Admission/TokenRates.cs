namespace Yardmaster.Core.Admission;

/// <summary>
/// A model's learned token model: a request's service time ≈ <see cref="Fixed"/> + prompt tokens ×
/// <see cref="PerPromptToken"/> + output tokens × <see cref="PerOutputToken"/>. Every part is at least zero.
/// </summary>
/// <param name="Fixed">Seconds every request takes whatever its length.</param>
/// <param name="PerPromptToken">Seconds per prompt token (1 ÷ the prefill rate); zero when prompts did not vary enough to tell.</param>
/// <param name="PerOutputToken">Seconds per output token (1 ÷ the decode rate); zero when outputs did not vary enough to tell.</param>
public sealed record TokenRates(double Fixed, double PerPromptToken, double PerOutputToken)
{
    /// <summary>The predicted service time of a request of <paramref name="promptTokens"/> in and <paramref name="outputTokens"/> out.</summary>
    public TimeSpan Service(double promptTokens, double outputTokens)
    {
        var seconds = Fixed + (promptTokens * PerPromptToken) + (outputTokens * PerOutputToken);
        return seconds >= TimeSpan.MaxValue.TotalSeconds ? TimeSpan.MaxValue : TimeSpan.FromSeconds(Math.Max(0, seconds));
    }
}
