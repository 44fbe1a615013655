namespace Yardmaster.Core.Models;

/// <summary>
/// Frequency of sessions, weighed by what a reload costs per byte: evicts first the replica whose model is expected
/// to start the fewest sessions, per GiB it frees, times what loading it costs. Its value is
/// <c>V = F × (C + <see cref="LoadOverhead"/>) / S</c>: <c>F</c> the model's decayed session count, <c>C</c> the replica's
/// <see cref="ReplicaSnapshot.LoadCost"/> in seconds, <c>S</c> its <see cref="ReplicaSnapshot.MemoryBytes"/> in GiB.
/// The lowest <c>V</c> is evicted first.
/// </summary>
/// <remarks>
/// <para>
/// Time is counted in uses: every <see cref="OnUse"/> on the device is one tick, so a quiet night or weekend ages no
/// model (on the Alibaba GenAI trace, counting in seconds instead costs more loads). A use adds
/// <c>1 − 2^(−gap / <see cref="SessionGap"/>)</c> to <c>F</c>, <c>gap</c> being the ticks since the model's previous use:
/// a request right after another adds almost nothing, one after a long pause adds almost 1. So <c>F</c> counts
/// sessions, not requests: a burst of 20 requests on a model does not make it look 20 times as popular, since a
/// cache miss costs one load per session. <c>F</c> halves every <see cref="HalfLife"/> ticks (LRFU's combined
/// recency and frequency), so yesterday's favourite fades. A model's first use counts 1; a model never used
/// counts 0 and goes first.
/// </para>
/// <para>
/// <see cref="LoadOverhead"/> is what every load costs beyond its measured load time (a request waiting, a slot
/// idle); it sets how much the policy cares about the number of loads against their total time: at 0 it only
/// weighs load time, when large only the number of loads.
/// </para>
/// <para>
/// Ties (equal <c>V</c>) go to the least recently used, then to the model name (ordinal), then to the highest
/// replica number. Not thread-safe: one instance serves one device and is called under its manager's lock.
/// </para>
/// </remarks>
public sealed class SessionLfuEvictionPolicy : IEvictionPolicy
{
    /// <summary>The default <see cref="HalfLife"/>: 10,000 uses.</summary>
    public const double DefaultHalfLife = 10_000;

    /// <summary>The default <see cref="SessionGap"/>: 30 uses.</summary>
    public const double DefaultSessionGap = 30;

    /// <summary>The default <see cref="LoadOverhead"/>: one minute.</summary>
    public static readonly TimeSpan DefaultLoadOverhead = TimeSpan.FromMinutes(1);

    private const double BytesPerGiB = 1L << 30;

    private readonly Dictionary<string, ModelUse> _uses = new(StringComparer.Ordinal);

    /// <summary>Creates the policy; each parameter left null takes its default.</summary>
    /// <param name="halfLife">Uses on the device after which a model's session count has halved.</param>
    /// <param name="sessionGap">Uses after which a model's next use counts half a new session.</param>
    /// <param name="loadOverhead">What each load costs beyond its load time; zero or more.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is not positive and finite, or the overhead is negative.</exception>
    public SessionLfuEvictionPolicy(double? halfLife = null, double? sessionGap = null, TimeSpan? loadOverhead = null)
    {
        HalfLife = Positive(halfLife ?? DefaultHalfLife, nameof(halfLife));
        SessionGap = Positive(sessionGap ?? DefaultSessionGap, nameof(sessionGap));
        LoadOverhead = loadOverhead ?? DefaultLoadOverhead;
        ArgumentOutOfRangeException.ThrowIfLessThan(LoadOverhead, TimeSpan.Zero, nameof(loadOverhead));
    }

    /// <inheritdoc />
    public string Name => "session-lfu";

    /// <summary>Uses on the device after which a model's session count has halved.</summary>
    public double HalfLife { get; }

    /// <summary>Uses after which a model's next use counts as half a new session.</summary>
    public double SessionGap { get; }

    /// <summary>What each load costs beyond its load time.</summary>
    public TimeSpan LoadOverhead { get; }

    /// <summary>Uses seen so far on the device: the policy's clock.</summary>
    public long Ticks { get; private set; }

    /// <inheritdoc />
    public EvictionDecision Choose(EvictionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return EvictionChoice.TakeInOrder(request, request.Replicas
            .Where(r => r.Evictable)
            .Select(r => (Replica: r, V: Value(r)))
            .OrderBy(x => x.V)
            .ThenBy(x => x.Replica.LastUsed)
            .ThenBy(x => x.Replica.Model, StringComparer.Ordinal)
            .ThenByDescending(x => x.Replica.Replica)
            .Select(x => x.Replica));
    }

    /// <inheritdoc />
    /// <remarks><paramref name="now"/> is not read: the clock is the count of uses.</remarks>
    public void OnUse(string model, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(model);
        Ticks++;
        _uses[model] = _uses.TryGetValue(model, out var use)
            ? new ModelUse(Sessions(use) + 1 - Math.Pow(0.5, (Ticks - use.At) / SessionGap), Ticks)
            : new ModelUse(1, Ticks);
    }

    /// <summary>The decayed session count <c>F</c> of <paramref name="model"/> now; 0 for a model never used.</summary>
    public double Sessions(string model) => _uses.TryGetValue(model, out var use) ? Sessions(use) : 0;

    /// <summary>The value <c>V</c> of keeping <paramref name="replica"/>; lower is evicted first.</summary>
    public double Value(ReplicaSnapshot replica)
    {
        ArgumentNullException.ThrowIfNull(replica);
        var gib = Math.Max(replica.MemoryBytes, 1) / BytesPerGiB;
        return Sessions(replica.Model) * (Math.Max(replica.LoadCost.TotalSeconds, 0) + LoadOverhead.TotalSeconds) / gib;
    }

    private double Sessions(ModelUse use) => use.Sessions * Math.Pow(0.5, (Ticks - use.At) / HalfLife);

    private static double Positive(double value, string name) =>
        value > 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(name, value, "must be positive and finite");

    private readonly record struct ModelUse(double Sessions, long At);
}
