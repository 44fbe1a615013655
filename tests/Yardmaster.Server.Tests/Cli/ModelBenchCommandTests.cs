using System.Text.Json;

namespace Yardmaster.Server.Tests.Cli;

/// <summary><c>yard model bench</c>: the builtin runtime's rates on the tests' fixture model, and its errors.</summary>
public sealed class ModelBenchCommandTests
{
    [Fact]
    public async Task Bench_FixtureModelJson_PositiveRatesAndLoadTime()
    {
        var (code, stdout, stderr) = await YardProcess.RunAsync(["model", "bench", SharedModels.Stories260K, "--prompt-tokens", "64", "--output-tokens", "16", "--repeat", "2", "--threads", "1", "--format", "json"]);

        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal("stories260K", root.GetProperty("model").GetString());
        Assert.All(["prefill_tokens_per_second", "decode_tokens_per_second", "load_seconds"], name => Assert.True(root.GetProperty(name).GetDouble() > 0, name));
        Assert.Equal((64, 16, 1, 2), (root.GetProperty("prompt_tokens").GetInt32(), root.GetProperty("output_tokens").GetInt32(), root.GetProperty("threads").GetInt32(), root.GetProperty("repeat").GetInt32()));
    }

    [Fact]
    public async Task Bench_ConcurrencyJson_PerSequenceRatesPerLevel()
    {
        var (code, stdout, stderr) = await YardProcess.RunAsync(["model", "bench", SharedModels.TinyRandomLlama, "--prompt-tokens", "32", "--output-tokens", "8", "--repeat", "1", "--threads", "1", "--concurrency", "1,3", "--format", "json"]);

        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var levels = json.RootElement.GetProperty("concurrency").EnumerateArray().ToList();
        Assert.Equal([1, 3], levels.Select(l => l.GetProperty("sequences").GetInt32()));
        Assert.All(levels, l => Assert.True(l.GetProperty("prefill_tokens_per_second").GetDouble() > 0 && l.GetProperty("decode_tokens_per_second").GetDouble() > 0, l.ToString()));
    }

    [Fact]
    public async Task Bench_ConcurrencyText_EndsWithTheSimulationYamlAConfigAccepts()
    {
        var (code, stdout, stderr) = await YardProcess.RunAsync(["model", "bench", SharedModels.TinyRandomLlama, "--prompt-tokens", "32", "--output-tokens", "8", "--repeat", "1", "--threads", "1", "--concurrency", "2,1"]);

        Assert.True(code == 0, stderr);
        Assert.Matches(
            @"^llama-2-tiny-random: load [^\n]+\n# per-sequence rates by sequences at once, for models\[\]\.simulation in yard\.yaml \(yard simulate, yard tune\):\n"
            + @"simulation:\n  load_time: \d+ms\n  concurrency:\n"
            + @"    - \{ sequences: 1, prefill_tokens_per_second: [\d.]+, decode_tokens_per_second: [\d.]+ \}\n"
            + @"    - \{ sequences: 2, prefill_tokens_per_second: [\d.]+, decode_tokens_per_second: [\d.]+ \}\n$",
            stdout);

        // Pasted under a model of yard.yaml as printed, indented to the model's keys: `yard serve --check` accepts it.
        using var dir = new TempDirectory();
        var pasted = string.Concat(stdout.Split('\n').SkipWhile(l => !l.StartsWith("simulation:", StringComparison.Ordinal)).Where(l => l.Length > 0).Select(l => "    " + l + "\n"));
        var config = dir.File("yard.yaml");
        await File.WriteAllTextAsync(config, $"models:\n  - name: tiny\n    backend: builtin\n    path: {SharedModels.TinyRandomLlama}\n{pasted}", TestContext.Current.CancellationToken);
        var check = await YardProcess.RunAsync(["serve", "--check", "--config", config, "--data", dir.File("data")]);
        Assert.True(check.ExitCode == 0, check.Stdout + check.Stderr);
    }

    [Fact]
    public async Task Bench_ConcurrencyNotNumbers_Exit2NamingTheOption()
    {
        var (code, stdout, stderr) = await YardProcess.RunAsync(["model", "bench", SharedModels.TinyRandomLlama, "--concurrency", "1,x"]);

        Assert.Equal((2, string.Empty), (code, stdout));
        Assert.Contains("--concurrency must be comma-separated whole numbers from 1 to 64", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_Text_OneLineWithBothRates()
    {
        var (code, stdout, stderr) = await YardProcess.RunAsync(["model", "bench", SharedModels.TinyRandomLlama, "--prompt-tokens", "32", "--output-tokens", "8", "--repeat", "1"]);

        Assert.True(code == 0, stderr);
        Assert.Matches(@"^llama-2-tiny-random: load [\d.]+ s; prefill \d+ tokens/s \(32-token prompt\); decode [\d.]+ tokens/s \(8 tokens\); \d+ thread\(s\), median of 1\n$", stdout);
    }

    [Fact]
    public async Task Bench_MissingNotGgufOrTooLong_Exit2WithTheReason()
    {
        using var dir = new TempDirectory();
        var text = dir.File("notes.gguf");
        await File.WriteAllTextAsync(text, "not a model", TestContext.Current.CancellationToken);

        var missing = await YardProcess.RunAsync(["model", "bench", dir.File("absent.gguf")]);
        var notGguf = await YardProcess.RunAsync(["model", "bench", text]);
        var tooLong = await YardProcess.RunAsync(["model", "bench", SharedModels.Stories260K, "--prompt-tokens", "2000", "--output-tokens", "100"]);

        Assert.Equal((2, $"error: {dir.File("absent.gguf")} does not exist\n"), (missing.ExitCode, missing.Stderr));
        Assert.Equal(2, notGguf.ExitCode);
        Assert.StartsWith($"error: {text} is not a GGUF model file: invalid GGUF at byte 0 (magic)", notGguf.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, tooLong.ExitCode);
        Assert.Contains("--prompt-tokens 2000 + --output-tokens 100 exceed the model's context of 2048 tokens", tooLong.Stderr, StringComparison.Ordinal);
        Assert.All([missing, notGguf, tooLong], r => Assert.Equal(string.Empty, r.Stdout));
    }
}
