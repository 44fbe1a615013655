namespace Yardmaster.Core.Configuration;

/// <summary>
/// A model's <c>simulation:</c> settings: the token model <c>yard simulate</c> and <c>yard tune</c> serve it with (as
/// <c>yard model bench</c> measures it), and its load time. The live server does not use them.
/// </summary>
/// <param name="PrefillTokensPerSecond">Prompt tokens per second per sequence.</param>
/// <param name="DecodeTokensPerSecond">Output tokens per second per sequence.</param>
/// <param name="LoadTime">How long a load takes; null for the simulator's default.</param>
public sealed record ModelSpeedSettings(double PrefillTokensPerSecond, double DecodeTokensPerSecond, TimeSpan? LoadTime);
