namespace Yardmaster.Runtime.Serving;

/// <summary>
/// What a replica of a model will take before it loads, as a value: bytes, or why that cannot be known (its
/// file is missing or is not a model file), in which case the model is not loaded and requests for it are
/// refused with that reason rather than with a guess.
/// </summary>
/// <param name="Bytes">The footprint per replica, bytes; 0 with an error.</param>
/// <param name="Error">Why the model cannot be estimated (and so cannot load); null when <paramref name="Bytes"/> holds.</param>
public readonly record struct FootprintEstimate(long Bytes, string? Error)
{
    /// <summary>A known footprint.</summary>
    public static FootprintEstimate Of(long bytes) => new(bytes, null);

    /// <summary>No footprint: the model cannot load, for <paramref name="error"/>.</summary>
    public static FootprintEstimate Failed(string error) => new(0, error);
}
