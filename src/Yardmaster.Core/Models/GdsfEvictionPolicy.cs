namespace Yardmaster.Core.Models;

/// <summary>
/// The default, cost-aware policy: GreedyDual-Size-Frequency. Each model's priority is
/// <c>H = L + F × C / S</c>, where <c>C</c> is the replica's <see cref="ReplicaSnapshot.LoadCost"/> in seconds,
/// <c>S</c> its <see cref="ReplicaSnapshot.MemoryBytes"/> in GiB, <c>F</c> the model's use frequency and
/// <c>L</c> the inflation value as it stood when the model was last used. The lowest <c>H</c> is evicted first;
/// evicting sets <c>L</c> to the highest victim's <c>H</c>, so models not used since age relative to those that are.
/// </summary>
/// <remarks>
/// <para>
/// Frequency is the number of <see cref="OnUse"/> calls for the model since the policy was created, decayed
/// exponentially with <see cref="FrequencyHalfLife"/> (a use counts 1 when it happens and ½ one half-life later),
/// so a model that was popular yesterday does not stay unevictable today. A model never used counts as
/// frequency 1 with <c>L = 0</c>: it goes before any model used since the first eviction.
/// </para>
/// <para>
/// Ties (equal <c>H</c>) go to the least recently used, then to the model name (ordinal), then to the highest
/// replica number. Not thread-safe: one instance serves one device and is called under its manager's lock.
/// </para>
/// </remarks>
public sealed class GdsfEvictionPolicy : IEvictionPolicy
{
    /// <summary>The default <see cref="FrequencyHalfLife"/>: one hour.</summary>
    public static readonly TimeSpan DefaultFrequencyHalfLife = TimeSpan.FromHours(1);

    private const double BytesPerGiB = 1L << 30;

    private readonly Dictionary<string, ModelUse> _uses = new(StringComparer.Ordinal);

    /// <summary>Creates the policy with <paramref name="frequencyHalfLife"/> (default one hour).</summary>
    /// <param name="frequencyHalfLife">How fast use counts fade; <see cref="Timeout.InfiniteTimeSpan"/> keeps plain counts.</param>
    /// <exception cref="ArgumentOutOfRangeException">The half-life is neither positive nor infinite.</exception>
    public GdsfEvictionPolicy(TimeSpan? frequencyHalfLife = null)
    {
        var halfLife = frequencyHalfLife ?? DefaultFrequencyHalfLife;
        if (halfLife <= TimeSpan.Zero && halfLife != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(frequencyHalfLife), halfLife, "must be positive or infinite");
        }

        FrequencyHalfLife = halfLife;
    }

    /// <inheritdoc />
    public string Name => "gdsf";

    /// <summary>How fast use counts fade; <see cref="Timeout.InfiniteTimeSpan"/> when they never do.</summary>
    public TimeSpan FrequencyHalfLife { get; }

    /// <summary>The inflation value <c>L</c>: 0 at first, then the priority of the last replica evicted. Never decreases.</summary>
    public double Inflation { get; private set; }

    /// <inheritdoc />
    /// <remarks>When the decision fits, <see cref="Inflation"/> becomes the highest victim priority.</remarks>
    public EvictionDecision Choose(EvictionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var ordered = request.Replicas
            .Where(r => r.Evictable)
            .Select(r => (Replica: r, H: Priority(r, request.Now)))
            .OrderBy(x => x.H)
            .ThenBy(x => x.Replica.LastUsed)
            .ThenBy(x => x.Replica.Model, StringComparer.Ordinal)
            .ThenByDescending(x => x.Replica.Replica)
            .ToList();
        var decision = EvictionChoice.TakeInOrder(request, ordered.Select(x => x.Replica));
        if (decision.Fits && decision.Victims.Count > 0)
        {
            Inflation = Math.Max(Inflation, ordered[decision.Victims.Count - 1].H);
        }

        return decision;
    }

    /// <inheritdoc />
    public void OnUse(string model, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(model);
        var frequency = _uses.TryGetValue(model, out var use) ? Decayed(use, now) : 0;
        _uses[model] = new ModelUse(frequency + 1, now, Inflation);
    }

    /// <summary>The priority <c>H</c> of <paramref name="replica"/> at <paramref name="now"/>; lower is evicted first.</summary>
    public double Priority(ReplicaSnapshot replica, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(replica);
        var (frequency, inflation) = _uses.TryGetValue(replica.Model, out var use) ? (Decayed(use, now), use.Inflation) : (1, 0);
        var gib = Math.Max(replica.MemoryBytes, 1) / BytesPerGiB;
        return inflation + (frequency * Math.Max(replica.LoadCost.TotalSeconds, 0) / gib);
    }

    private double Decayed(ModelUse use, DateTimeOffset now)
    {
        if (FrequencyHalfLife == Timeout.InfiniteTimeSpan || now <= use.At)
        {
            return use.Frequency;
        }

        return use.Frequency * Math.Pow(0.5, (now - use.At) / FrequencyHalfLife);
    }

    private readonly record struct ModelUse(double Frequency, DateTimeOffset At, double Inflation);
}
