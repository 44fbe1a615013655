namespace Yardmaster.Simulation;

/// <summary>
/// Deterministic hashing for the simulator's draws (string.GetHashCode is randomized per process, so
/// it would change the figures from run to run).
/// </summary>
internal static class StableHash
{
    /// <summary>SplitMix64's finalizer: a well-mixed 64-bit value from <paramref name="x"/>.</summary>
    public static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>FNV-1a over the UTF-16 code units of <paramref name="s"/>, then mixed with <paramref name="salt"/>.</summary>
    public static ulong Of(string s, ulong salt)
    {
        var h = 14695981039346656037UL;
        foreach (var c in s)
        {
            h = (h ^ c) * 1099511628211UL;
        }

        return Mix(h ^ Mix(salt));
    }

    /// <summary>A value in [0, 1) from a hash.</summary>
    public static double Unit(ulong hash) => (hash >> 11) * (1.0 / (1UL << 53));
}
