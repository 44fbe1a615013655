using System.Numerics;
using System.Text;

namespace Yardmaster.Inference.Synthetic;

/// <summary>
/// xoshiro256** seeded through SplitMix64, with a cheap approximately normal draw: the sum of the four
/// 16-bit lanes of one 64-bit output (Irwin–Hall with n = 4), centred and scaled to unit variance. The
/// draw is bounded to ±√12 ≈ ±3.46 standard deviations, which suits weight initialisation. A mutable
/// value type: pass it by reference.
/// </summary>
internal struct SyntheticRandom
{
    // Mean and standard deviation of the sum of four uniform 16-bit integers.
    private const float LaneSumMean = 4 * 65535f / 2;
    private const float LaneSumStd = 37837.23f; // 65536 / sqrt(3)

    private ulong _s0, _s1, _s2, _s3;

    public SyntheticRandom(ulong seed)
    {
        _s0 = SplitMix64(ref seed);
        _s1 = SplitMix64(ref seed);
        _s2 = SplitMix64(ref seed);
        _s3 = SplitMix64(ref seed);
    }

    /// <summary>A generator for one tensor: depends on the model seed and the tensor name only.</summary>
    public static SyntheticRandom ForTensor(ulong seed, string tensorName)
    {
        // FNV-1a over the UTF-8 name: stable across processes, unlike string.GetHashCode.
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(tensorName))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return new SyntheticRandom(seed ^ hash);
    }

    public ulong NextUInt64()
    {
        var result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Fills <paramref name="destination"/> with approximately normal values of mean 0 and the given standard deviation.</summary>
    public void FillNormal(Span<float> destination, float standardDeviation)
    {
        var scale = standardDeviation / LaneSumStd;
        for (var i = 0; i < destination.Length; i++)
        {
            var r = NextUInt64();
            var pairs = (r & 0x0000FFFF0000FFFFUL) + ((r >> 16) & 0x0000FFFF0000FFFFUL);
            var sum = (uint)pairs + (uint)(pairs >> 32);
            destination[i] = (sum - LaneSumMean) * scale;
        }
    }

    private static ulong SplitMix64(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
