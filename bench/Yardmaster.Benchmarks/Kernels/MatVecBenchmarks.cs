using System.Globalization;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Yardmaster.Inference.Gguf;
using Yardmaster.Inference.Kernels;
using Yardmaster.Inference.Quantization;

namespace Yardmaster.Benchmarks.Kernels;

/// <summary>
/// <c>y = W · x</c> for a batch of input vectors through the runtime's own <see cref="MatMul"/> on a
/// <see cref="ComputePool"/>, per weight type, at the shapes of a 110M llama (768×768 attention,
/// 2048×768 feed-forward) and of a 32,000-token output matrix. Weights live in native memory, encoded by
/// <see cref="Quantizer"/>, and each call takes the next of several copies totalling at least
/// <see cref="WorkingSetBytes"/>, so every call reads its weights from DRAM as a decode step does (a
/// model is far larger than the last-level cache). The <c>Weights GB/s</c> column is the matrix's bytes
/// divided by the mean time: compare it with <c>Yardmaster.Bandwidth</c> at the same thread count.
/// </summary>
[Config(typeof(MatVecConfig))]
public unsafe class MatVecBenchmarks : IDisposable
{
    /// <summary>Bytes of weight copies each benchmark cycles through: 8× a 32 MiB L3.</summary>
    public const long WorkingSetBytes = 256L << 20;

    private ComputePool? _pool;
    private MatMul? _matMul;
    private WeightMatrix[] _copies = [];
    private byte* _weights;
    private float* _x;
    private float* _y;
    private int _next;

    [Params(GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0)]
    public GgmlType Type { get; set; }

    /// <summary>Rows × columns of the weight matrix.</summary>
    [Params("768x768", "2048x768", "32000x768")]
    public string Shape { get; set; } = "768x768";

    /// <summary>Input vectors per call: 1 is one sequence decoding, 4 is four concurrent sequences.</summary>
    [Params(1, 4)]
    public int Batch { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>Bytes of one <paramref name="shape"/> matrix of <paramref name="type"/>: what one call reads.</summary>
    public static long WeightBytes(GgmlType type, string shape)
    {
        var (rows, columns) = Parse(shape);
        return rows * GgmlTypeInfo.ByteCount(type, columns);
    }

    [GlobalSetup]
    public void Setup()
    {
        var (rows, columns) = Parse(Shape);
        var random = new Random(1);
        var values = new float[rows * columns];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() - 0.5);
        }

        var bytes = WeightBytes(Type, Shape);
        var encoded = new byte[bytes];
        Quantizer.Quantize(Type, values, encoded);

        var stride = (bytes + 63) & ~63L;
        var count = (int)Math.Max(2, (WorkingSetBytes + bytes - 1) / bytes);
        _weights = (byte*)NativeMemory.AlignedAlloc((nuint)(stride * count), 64);
        _copies = new WeightMatrix[count];
        for (var c = 0; c < count; c++)
        {
            var copy = _weights + (c * stride);
            encoded.CopyTo(new Span<byte>(copy, (int)bytes));
            _copies[c] = new WeightMatrix(copy, Type, rows, columns);
        }

        _x = (float*)NativeMemory.AlignedAlloc((nuint)(Batch * columns * sizeof(float)), 64);
        for (var i = 0; i < Batch * columns; i++)
        {
            _x[i] = (float)(random.NextDouble() - 0.5);
        }

        _y = (float*)NativeMemory.AlignedAlloc((nuint)(Batch * rows * sizeof(float)), 64);
        _pool = new ComputePool(Threads);
        _matMul = new MatMul(_pool, columns);
    }

    [Benchmark(Description = "MatVec")]
    public void MatVec()
    {
        var w = _copies[_next];
        _next = _next + 1 == _copies.Length ? 0 : _next + 1;
        _matMul!.Multiply(in w, _x, Batch, _y, w.Rows);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _matMul?.Dispose();
        _pool?.Dispose();
        _matMul = null;
        _pool = null;
        NativeMemory.AlignedFree(_weights);
        NativeMemory.AlignedFree(_x);
        NativeMemory.AlignedFree(_y);
        _weights = null;
        _x = null;
        _y = null;
        GC.SuppressFinalize(this);
    }

    private static (int Rows, int Columns) Parse(string shape)
    {
        var parts = shape.Split('x');
        return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
    }
}
