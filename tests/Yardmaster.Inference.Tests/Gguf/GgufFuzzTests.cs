using System.Globalization;
using Yardmaster.Inference.Gguf;
using Yardmaster.Inference.Llama;
using Yardmaster.Inference.Tokenization;

namespace Yardmaster.Inference.Tests.Gguf;

/// <summary>
/// Seeded, deterministic fuzzing of the GGUF reader and the model loader with damaged copies of the
/// shared models. Each case must open or be refused with a <see cref="GgufFormatException"/> naming a
/// field and an offset; a file that opens must give a tokenizer or a <see cref="GgufFormatException"/>, and
/// load or be refused as unsupported, and a model that loads must run a forward step. Never another exception, never a hang, never unbounded allocation.
/// </summary>
public class GgufFuzzTests
{
    private static readonly TimeSpan _caseTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Cases per corpus file and mutation kind: 7 × (250 + 80 + 40) = 2,590 in all. Fewer for
    /// llama-2-tiny-random, whose 32,000-token vocabulary makes each open cost about 10 ms (three arrays on
    /// the large-object heap), against 1 ms for stories260K.
    /// </summary>
    public static TheoryData<string, GgufMutationKind, int> Rows()
    {
        var rows = new TheoryData<string, GgufMutationKind, int>();
        foreach (var (corpus, cases) in new[] { ("stories260K", 250), ("stories260K-align64", 80), ("llama-2-tiny-random", 40) })
        {
            foreach (var kind in Enum.GetValues<GgufMutationKind>())
            {
                rows.Add(corpus, kind, cases);
            }
        }

        return rows;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Open_MutatedModel_OpensOrThrowsGgufFormatExceptionWithinBounds(string corpusName, GgufMutationKind kind, int cases)
    {
        var corpus = await GgufFuzzCorpus.GetAsync(corpusName);
        using var dir = new TempDirectory(TempDirectory.InMemoryRoot);
        var path = dir.File("mutant.gguf");
        var failures = new List<string>();
        var outcomes = new Dictionary<GgufFuzzOutcome, int>();
        long mostAllocated = 0;
        for (var i = 0; i < cases; i++)
        {
            var seed = Seed(corpusName, kind, i);
            var mutant = await GgufMutator.MutateAsync(corpus, kind, seed);
            await File.WriteAllBytesAsync(path, mutant.Bytes, TestContext.Current.CancellationToken);
            var reproduce = string.Create(CultureInfo.InvariantCulture,
                $"{corpusName} {kind} seed {seed} (GgufMutator.MutateAsync(await GgufFuzzCorpus.GetAsync(\"{corpusName}\"), GgufMutationKind.{kind}, {seed})): {mutant.Description}");
            GgufFuzzResult result;
            try
            {
                result = await Task.Run(() => RunCase(path, mutant.Bytes.Length)).WaitAsync(_caseTimeout, TestContext.Current.CancellationToken);
            }
            catch (TimeoutException)
            {
                // The case still runs and holds the file: stop here.
                failures.Add($"{reproduce}: did not finish within {_caseTimeout.TotalSeconds} s");
                break;
            }

            outcomes[result.Outcome] = outcomes.GetValueOrDefault(result.Outcome) + 1;
            mostAllocated = Math.Max(mostAllocated, result.Allocated);
            if (result.Failure is not null)
            {
                failures.Add($"{reproduce}: {result.Failure}");
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"))
            + string.Create(CultureInfo.InvariantCulture, $"; at most {mostAllocated:N0} bytes allocated by one case"));
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases} cases failed:\n" + string.Join("\n", failures.Take(20)));
        // The mutations reach the checks: some cases are refused (a fuzzer whose files all load tests nothing).
        Assert.True(outcomes.GetValueOrDefault(GgufFuzzOutcome.Malformed) + outcomes.GetValueOrDefault(GgufFuzzOutcome.Unsupported) > 0,
            "no case was refused: " + string.Join(", ", outcomes));
    }

    /// <summary>The seed of case <paramref name="index"/> of a row: distinct for every row and case, stable across runs.</summary>
    private static int Seed(string corpus, GgufMutationKind kind, int index) =>
        (GgufFuzzCorpus.Names.ToList().IndexOf(corpus) * 100_000) + ((int)kind * 1_000) + index + 1;

    /// <summary>
    /// Runs one case on the calling thread and counts what it allocates on that thread (other tests run
    /// in parallel in this process, so the process-wide counter would measure them too).
    /// </summary>
    private static GgufFuzzResult RunCase(string path, long fileLength)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = Exercise(path, fileLength);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var budget = (64L << 20) + (16 * fileLength);
        return result.Failure is null && allocated > budget
            ? result with { Allocated = allocated, Failure = string.Create(CultureInfo.InvariantCulture, $"allocated {allocated:N0} bytes, more than the {budget:N0} allowed") }
            : result with { Allocated = allocated };
    }

    private static GgufFuzzResult Exercise(string path, long fileLength)
    {
        GgufFile file;
        try
        {
            file = GgufFile.Open(path);
        }
        catch (GgufFormatException e)
        {
            return new(GgufFuzzOutcome.Malformed, CheckMessage(e, fileLength));
        }
        catch (Exception e)
        {
            return new(GgufFuzzOutcome.Crashed, $"GgufFile.Open threw {e}");
        }

        // The model server builds the tokenizer from the same metadata: it too may refuse only with a GgufFormatException.
        using (file)
        {
            try
            {
                TokenizerFactory.FromGguf(file);
            }
            catch (GgufFormatException e) when (CheckMessage(e, fileLength) is { } failure)
            {
                return new(GgufFuzzOutcome.Crashed, failure);
            }
            catch (GgufFormatException)
            {
                // A damaged vocabulary; the weights may still load.
            }
            catch (Exception e)
            {
                return new(GgufFuzzOutcome.Crashed, $"TokenizerFactory.FromGguf threw {e}");
            }
        }

        LlamaModel model;
        try
        {
            model = LlamaModel.Load(path);
        }
        catch (GgufFormatException e)
        {
            return new(GgufFuzzOutcome.Unsupported, CheckMessage(e, fileLength));
        }
        catch (UnsupportedModelException e)
        {
            return new(GgufFuzzOutcome.Unsupported, e.Message.Length > 0 ? null : "UnsupportedModelException without a message");
        }
        catch (Exception e)
        {
            return new(GgufFuzzOutcome.Crashed, $"LlamaModel.Load threw {e}");
        }

        using (model)
        {
            try
            {
                using var pass = new ForwardPass(model, maxBatch: 1, threads: 1, maxContext: 4);
                using var cache = new KvCache(model.Config, 4);
                pass.Run([new BatchToken(cache, 1 % model.Config.VocabularySize, 0, WantLogits: true)]);
                var logits = pass.Logits(0).Length;
                return logits == model.Config.VocabularySize
                    ? new(GgufFuzzOutcome.Ran, null)
                    : new(GgufFuzzOutcome.Crashed, $"{logits} logits for a vocabulary of {model.Config.VocabularySize}");
            }
            catch (Exception e)
            {
                return new(GgufFuzzOutcome.Crashed, $"the forward pass threw {e}");
            }
        }
    }

    private static string? CheckMessage(GgufFormatException e, long fileLength)
    {
        var expected = string.Create(CultureInfo.InvariantCulture, $"invalid GGUF at byte {e.Offset} ({e.Field}): ");
        if (string.IsNullOrWhiteSpace(e.Field) || !e.Message.StartsWith(expected, StringComparison.Ordinal) || e.Reason.Length == 0)
        {
            return $"GgufFormatException without a field, an offset and a reason: {e.Message}";
        }

        return e.Offset < 0 || e.Offset > fileLength
            ? string.Create(CultureInfo.InvariantCulture, $"GgufFormatException offset {e.Offset} is outside the {fileLength}-byte file: {e.Message}")
            : null;
    }
}
