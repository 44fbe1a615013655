namespace Yardmaster.PolicySim.Eviction;

/// <summary>How a model's load time and size are drawn, deterministically from its id.</summary>
internal sealed record SizeRule(string Name, string Description, Func<string, IReadOnlyList<TimeSpan>, SimModel> Draw)
{
    private const long GiB = 1L << 30;
    private const long MiB = 1L << 20;

    /// <summary>Load time: the latency at index <c>hash(id) mod n</c> of the measured latencies.</summary>
    public static TimeSpan LoadTime(string model, IReadOnlyList<TimeSpan> sortedLatencies) =>
        sortedLatencies[(int)(StableHash.Of(model, 1) % (ulong)sortedLatencies.Count)];

    /// <summary>Size independent of load time: 2 to 16 GiB in 0.5 GiB steps, by a second hash of the id.</summary>
    public static SizeRule Independent { get; } = new(
        "independent",
        "load time = measured latency at index hash₁(id) mod 7,531; size = 2 GiB + 0.5 GiB × (hash₂(id) mod 29), i.e. 2 to 16 GiB, drawn apart from the load time",
        (id, lat) => new SimModel(id, LoadTime(id, lat), (2 * GiB) + (GiB / 2 * (long)(StableHash.Of(id, 2) % 29))));

    /// <summary>Size proportional to load time: 256 MiB per second of load (a load is a read at 256 MiB/s), at least 512 MiB.</summary>
    public static SizeRule Proportional { get; } = new(
        "proportional",
        "load time as above; size = 256 MiB per second of load time, at least 512 MiB (so cost ÷ size is the same for every model but the smallest)",
        (id, lat) =>
        {
            var load = LoadTime(id, lat);
            return new SimModel(id, load, Math.Max(512 * MiB, (long)(load.TotalSeconds * 256 * MiB)));
        });
}
