using BenchmarkDotNet.Attributes;
using Yardmaster.Inference.Gguf;
using Yardmaster.Inference.Synthetic;

namespace Yardmaster.Benchmarks.Synthetic;

/// <summary>
/// Writes a synthetic model end to end (PRNG, quantization, GGUF writer, file). The goal: a 110M-parameter
/// Q8_0 model in a few seconds, i.e. well under 30 ns per parameter.
/// </summary>
[MemoryDiagnoser]
public class SyntheticModelBenchmarks
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"yard-bench-{Environment.ProcessId}.gguf");

    [Params(GgmlType.F32, GgmlType.F16, GgmlType.Q8_0)]
    public GgmlType Type { get; set; }

    [Benchmark]
    public Task<SyntheticModelResult> Write15M() => SyntheticModel.WriteAsync(
        new SyntheticModelOptions { Shape = SyntheticModelShape.ForParameterCount(15_000_000, 512), Type = Type },
        _path,
        CancellationToken.None);

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_path);
}
