using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Yardmaster.Inference.Llama;
using Yardmaster.Inference.Tokenization;

namespace Yardmaster.Benchmarks.Llama;

/// <summary>
/// Loading a model to its first token in a process that has loaded models before (the kernels are
/// compiled, as in a long-running <c>yard serve</c> that loads and evicts models), against reading the
/// same file sequentially, in the same run, both from a warm page cache. Load = map the GGUF and check
/// every tensor, build the tokenizer, one forward pass of BOS (which reads every weight through the
/// mapping), unmap. Read = what <c>cat FILE &gt; /dev/null</c> does: 1 MiB reads to the end.
/// Models: <c>tests/fixtures/models/stories260K.gguf</c> and the synthetic 110M models that
/// <c>bench/model-server.sh</c> generates into <c>bench/.work/models</c> (skipped, saying so on stderr, when absent).
/// </summary>
[Config(typeof(Config))]
public class ModelLoadBenchmarks
{
    private readonly byte[] _buffer = new byte[1 << 20];

    private static readonly Dictionary<string, string> _paths = FindModels();
    private string _path = string.Empty;

    /// <summary>stories260K, 110M-q8_0 or 110M-f32 (those whose files exist).</summary>
    [ParamsSource(nameof(Models))]
    public string Model { get; set; } = string.Empty;

    public static IEnumerable<string> Models() => _paths.Keys;

    /// <summary>Compute threads of the forward pass (the model server's default is one per core).</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup() => _path = _paths[Model];

    [Benchmark(Baseline = true)]
    public long ReadFile()
    {
        using var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        long total = 0;
        int n;
        while ((n = stream.Read(_buffer, 0, _buffer.Length)) > 0)
        {
            total += n;
        }

        return total;
    }

    [Benchmark]
    public float LoadToFirstToken()
    {
        using var model = LlamaModel.Load(_path);
        var tokenizer = TokenizerFactory.FromGguf(model.File);
        using var pass = new ForwardPass(model, maxBatch: 1, Threads, maxContext: 8);
        using var cache = new KvCache(model.Config, 8);
        pass.Run([new BatchToken(cache, Math.Max(0, tokenizer.BosId), 0, WantLogits: true)]);
        return pass.Logits(0)[0];
    }

    private static Dictionary<string, string> FindModels()
    {
        var root = FindRoot();
        var candidates = new Dictionary<string, string>
        {
            ["stories260K"] = Path.Combine(root, "tests", "fixtures", "models", "stories260K.gguf"),
            ["110M-q8_0"] = Path.Combine(root, "bench", ".work", "models", "synthetic-110m-q8_0.gguf"),
            ["110M-f32"] = Path.Combine(root, "bench", ".work", "models", "synthetic-110m-f32.gguf"),
        };
        foreach (var (name, path) in candidates.Where(c => !File.Exists(c.Value)))
        {
            Console.Error.WriteLine($"ModelLoadBenchmarks: skipping {name}: {Path.GetFullPath(path)} not found (bench/model-server.sh generates the synthetic models)");
        }

        return candidates.Where(c => File.Exists(c.Value)).ToDictionary(c => c.Key, c => Path.GetFullPath(c.Value));
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Yardmaster.slnx")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }

    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10).AsDefault());
    }
}
