using BenchmarkDotNet.Attributes;
using Yardmaster.Inference.Gguf;
using Yardmaster.Inference.Quantization;

namespace Yardmaster.Benchmarks.Quantization;

/// <summary>Quantizes and dequantizes a 1M-element row set in each supported type.</summary>
public class QuantizerBenchmarks
{
    private readonly float[] _values = new float[1 << 20];
    private byte[] _encoded = [];

    [Params(GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0)]
    public GgmlType Type { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        for (var i = 0; i < _values.Length; i++)
        {
            _values[i] = (float)(random.NextDouble() - 0.5);
        }

        _encoded = new byte[GgmlTypeInfo.ByteCount(Type, _values.Length)];
    }

    [Benchmark]
    public void Quantize() => Quantizer.Quantize(Type, _values, _encoded);

    [Benchmark]
    public void Dequantize() => Quantizer.Dequantize(Type, _encoded, _values);
}
