using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Runtime.InteropServices;

namespace Yardmaster.Bandwidth;

/// <summary>
/// Sustained read bandwidth of main memory: a buffer far larger than the last-level cache, filled with
/// non-zero data (untouched pages would all map the kernel's one zero page and read from cache), summed
/// by <c>threads</c> threads, each over its own contiguous share, with the widest vector loads the CPU
/// has (512-bit with AVX-512, as the runtime's kernels use, else 256-bit) and four accumulators. The
/// best of several passes is the figure, as the best pass is the one least disturbed by other processes.
/// Not thread-safe; one measurement at a time.
/// </summary>
internal sealed unsafe class ReadBandwidth : IDisposable
{
    private readonly long* _data;
    private readonly long _longs;

    public ReadBandwidth(long bytes)
    {
        _longs = bytes / sizeof(long) / 64 * 64;
        Bytes = _longs * sizeof(long);
        _data = (long*)NativeMemory.AlignedAlloc((nuint)Bytes, 4096);
        for (long i = 0; i < _longs; i++)
        {
            _data[i] = i;
        }
    }

    /// <summary>Bytes each pass reads.</summary>
    public long Bytes { get; }

    /// <summary>Best read rate in GB/s (10⁹ bytes per second) over <paramref name="passes"/> passes with <paramref name="threads"/> threads.</summary>
    public double Measure(int threads, int passes)
    {
        var best = double.MaxValue;
        var sums = new long[threads];
        var starts = new long[threads];
        var ends = new long[threads];
        using var start = new Barrier(threads + 1);
        using var end = new Barrier(threads + 1);
        var workers = new Thread[threads];
        for (var t = 0; t < threads; t++)
        {
            var index = t;
            workers[t] = new Thread(() =>
            {
                var share = _longs / threads / 64 * 64;
                var first = index * share;
                var count = index == threads - 1 ? _longs - first : share;
                for (var p = 0; p < passes; p++)
                {
                    start.SignalAndWait();
                    starts[index] = Stopwatch.GetTimestamp();
                    sums[index] += Sum(_data + first, count);
                    ends[index] = Stopwatch.GetTimestamp();
                    end.SignalAndWait();
                }
            })
            { IsBackground = true, Name = $"bandwidth-{index}" };
            workers[t].Start();
        }

        for (var p = 0; p < passes; p++)
        {
            // A pass lasts from the first reader's start to the last reader's end, as the readers see it:
            // this thread may be descheduled at either barrier, so its own clock could miss part of a pass.
            start.SignalAndWait();
            end.SignalAndWait();
            best = Math.Min(best, Stopwatch.GetElapsedTime(starts.Min(), ends.Max()).TotalSeconds);
        }

        foreach (var worker in workers)
        {
            worker.Join();
        }

        // The sums keep the loads alive; checking them guards against a broken loop.
        var expected = (_longs * (_longs - 1) / 2) * passes;
        return sums.Sum() == expected ? Bytes / best / 1e9 : throw new InvalidOperationException("bandwidth probe summed the wrong values");
    }

    public void Dispose() => NativeMemory.AlignedFree(_data);

    /// <summary>Vector width of the loads, in bits.</summary>
    public static int LoadBits => Vector512.IsHardwareAccelerated ? 512 : 256;

    /// <summary>Sums <paramref name="count"/> longs (a multiple of 64) with four independent accumulators.</summary>
    private static long Sum(long* p, long count) => Vector512.IsHardwareAccelerated ? Sum512(p, count) : Sum256(p, count);

    private static long Sum512(long* p, long count)
    {
        Vector512<long> a = default, b = default, c = default, d = default;
        for (long i = 0; i < count; i += 32)
        {
            a += Vector512.LoadAligned(p + i);
            b += Vector512.LoadAligned(p + i + 8);
            c += Vector512.LoadAligned(p + i + 16);
            d += Vector512.LoadAligned(p + i + 24);
        }

        return Vector512.Sum((a + b) + (c + d));
    }

    private static long Sum256(long* p, long count)
    {
        Vector256<long> a = default, b = default, c = default, d = default;
        for (long i = 0; i < count; i += 16)
        {
            a += Vector256.LoadAligned(p + i);
            b += Vector256.LoadAligned(p + i + 4);
            c += Vector256.LoadAligned(p + i + 8);
            d += Vector256.LoadAligned(p + i + 12);
        }

        return Vector256.Sum((a + b) + (c + d));
    }
}
