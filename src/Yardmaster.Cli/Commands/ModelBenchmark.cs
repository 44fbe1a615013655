using Yardmaster.Inference.Engine;
using Yardmaster.Inference.Llama;
using Yardmaster.Inference.Sampling;
using Yardmaster.Inference.Tokenization;

namespace Yardmaster.Cli.Commands;

/// <summary>
/// Measures the builtin runtime on one GGUF file in this process, as <c>yard serve</c> runs it (one engine, one slot,
/// its default batch of prompt chunks): load time (map, tokenizer, engine, one warm-up token), then per repeat one
/// request of a fresh prompt (no prefix reuse across repeats) whose first token gives the prefill rate and whose other
/// tokens (end of generation ignored) the decode rate. The medians of the repeats are reported. With concurrency levels,
/// also for each level N an engine of N slots given N requests at once per repeat: the per-sequence rates while N
/// sequences share the engine (continuous batching), what each slot of a busy replica gets.
/// </summary>
internal static class ModelBenchmark
{
    /// <summary>The figures: medians over the repeats.</summary>
    public sealed record Result(string Model, string File, double LoadSeconds, double PrefillTokensPerSecond, double DecodeTokensPerSecond, int PromptTokens, int OutputTokens, int Threads, int Repeat, int ContextLength)
    {
        /// <summary>Per-sequence rates with N sequences at once, one entry per level asked; empty when none was.</summary>
        public IReadOnlyList<Concurrent> Concurrency { get; init; } = [];
    }

    /// <summary>Medians over every sequence of every repeat while <paramref name="Sequences"/> ran at once.</summary>
    /// <param name="Sequences">Sequences at once (the engine's slots).</param>
    /// <param name="PrefillTokensPerSecond">Prompt tokens ÷ a sequence's time to its first token.</param>
    /// <param name="DecodeTokensPerSecond">A sequence's other tokens ÷ its time after the first.</param>
    public sealed record Concurrent(int Sequences, double PrefillTokensPerSecond, double DecodeTokensPerSecond);

    /// <summary>Loads <paramref name="path"/> and measures it.</summary>
    /// <exception cref="Inference.Gguf.GgufFormatException">Not a GGUF file.</exception>
    /// <exception cref="UnsupportedModelException">A GGUF file the runtime cannot run.</exception>
    /// <exception cref="ArgumentException">The prompt and output do not fit the model's context.</exception>
    public static async Task<Result> RunAsync(string path, int promptTokens, int outputTokens, int threads, int repeat, TimeProvider time, CancellationToken cancellationToken)
        => await RunAsync(path, promptTokens, outputTokens, threads, repeat, [], time, cancellationToken).ConfigureAwait(false);

    /// <summary>Loads <paramref name="path"/> and measures it, then once per level of <paramref name="concurrency"/>.</summary>
    /// <exception cref="Inference.Gguf.GgufFormatException">Not a GGUF file.</exception>
    /// <exception cref="UnsupportedModelException">A GGUF file the runtime cannot run.</exception>
    /// <exception cref="ArgumentException">The prompt and output do not fit the model's context.</exception>
    public static async Task<Result> RunAsync(string path, int promptTokens, int outputTokens, int threads, int repeat, IReadOnlyList<int> concurrency, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        using var model = LlamaModel.Load(path);
        var context = Math.Min(model.Config.ContextLength, 4096);
        if (promptTokens + outputTokens > context)
        {
            throw new ArgumentException($"--prompt-tokens {promptTokens} + --output-tokens {outputTokens} exceed the model's context of {context} tokens");
        }

        var tokenizer = TokenizerFactory.FromGguf(model.File);
        using var engine = new InferenceEngine(model, tokenizer, new EngineOptions { Slots = 1, ContextLength = context, Threads = threads }, time);
        await engine.WarmUpAsync(cancellationToken).ConfigureAwait(false);
        var load = time.GetElapsedTime(started);

        var prefill = new List<double>();
        var decode = new List<double>();
        for (var r = 0; r < repeat; r++)
        {
            var request = new GenerationRequest(Prompt(tokenizer, promptTokens, r), SamplingOptions.Greedy, outputTokens, []) { IgnoreEndOfGeneration = true };
            var generation = engine.Submit(request, cancellationToken).Generation
                ?? throw new InvalidOperationException("the engine refused the benchmark's request");
            var (p, d) = await TimeAsync(generation, promptTokens, time, cancellationToken).ConfigureAwait(false);
            prefill.Add(p);
            decode.Add(d);
        }

        var levels = new List<Concurrent>();
        foreach (var n in concurrency)
        {
            levels.Add(await ConcurrentAsync(model, tokenizer, context, threads, n, promptTokens, outputTokens, repeat, time, cancellationToken).ConfigureAwait(false));
        }

        return new Result(Path.GetFileNameWithoutExtension(path), path, load.TotalSeconds, Median(prefill), Median(decode), promptTokens, outputTokens, engine.Threads, repeat, context)
        {
            Concurrency = levels,
        };
    }

    /// <summary>An engine of <paramref name="sequences"/> slots, given that many fresh prompts at once per repeat.</summary>
    private static async Task<Concurrent> ConcurrentAsync(LlamaModel model, ITokenizer tokenizer, int context, int threads, int sequences, int promptTokens, int outputTokens, int repeat, TimeProvider time, CancellationToken cancellationToken)
    {
        using var engine = new InferenceEngine(model, tokenizer, new EngineOptions { Slots = sequences, ContextLength = context, Threads = threads }, time);
        await engine.WarmUpAsync(cancellationToken).ConfigureAwait(false);
        var prefill = new List<double>();
        var decode = new List<double>();
        for (var r = 0; r < repeat; r++)
        {
            var runs = new List<Task<(double Prefill, double Decode)>>();
            for (var k = 0; k < sequences; k++)
            {
                // Distinct prompts, unlike the single-sequence ones above and each other (no prefix reuse).
                var request = new GenerationRequest(Prompt(tokenizer, promptTokens, 1000 + (r * sequences) + k), SamplingOptions.Greedy, outputTokens, []) { IgnoreEndOfGeneration = true };
                var generation = engine.Submit(request, cancellationToken).Generation
                    ?? throw new InvalidOperationException("the engine refused the benchmark's request");
                runs.Add(TimeAsync(generation, promptTokens, time, cancellationToken));
            }

            foreach (var (p, d) in await Task.WhenAll(runs).ConfigureAwait(false))
            {
                prefill.Add(p);
                decode.Add(d);
            }
        }

        return new Concurrent(sequences, Median(prefill), Median(decode));
    }

    private static async Task<(double Prefill, double Decode)> TimeAsync(Generation generation, int promptTokens, TimeProvider time, CancellationToken cancellationToken)
    {
        var sent = time.GetTimestamp();
        long? first = null;
        await foreach (var e in generation.Events.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            first ??= time.GetTimestamp();
            if (e is GenerationFinished f)
            {
                if (f.Error is not null || f.CompletionTokens < 2)
                {
                    throw new InvalidOperationException($"the benchmark's generation ended early ({f.Reason}: {f.Error ?? $"{f.CompletionTokens} token(s)"})");
                }

                return (promptTokens / time.GetElapsedTime(sent, first.Value).TotalSeconds, (f.CompletionTokens - 1) / time.GetElapsedTime(first.Value).TotalSeconds);
            }
        }

        throw new InvalidOperationException("the benchmark's generation ended without finishing");
    }

    /// <summary>BOS, then ordinary token ids spread over the vocabulary, different for each repeat from the first on.</summary>
    private static int[] Prompt(ITokenizer tokenizer, int count, int repeat)
    {
        var vocabulary = tokenizer.VocabularySize;
        var low = Math.Min(3, vocabulary - 1);
        var span = Math.Max(1, vocabulary - low);
        var ids = new int[count];
        ids[0] = Math.Max(0, tokenizer.BosId);
        for (var k = 1; k < count; k++)
        {
            ids[k] = low + (int)((((long)k * 7919) + ((long)repeat * 104729) + (repeat * 31)) % span);
        }

        return ids;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
    }
}
