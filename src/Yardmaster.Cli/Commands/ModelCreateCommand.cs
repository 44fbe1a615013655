using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Yardmaster.Inference.Gguf;
using Yardmaster.Inference.Synthetic;

using Yardmaster.Core.Units;

namespace Yardmaster.Cli.Commands;

/// <summary>
/// <c>yard model create --synthetic --params N --type f32|f16|q8_0 [--vocab-from FILE.gguf] [--seed N]
/// [--ctx N] [--name NAME] --out FILE [--output text|json]</c>: writes a llama GGUF with seeded random weights.
/// </summary>
internal static class ModelCreateCommand
{
    private const long MaxParameters = 200_000_000_000;
    private const int MaxContext = 1 << 20;

    public static Command Create()
    {
        var synthetic = new Option<bool>("--synthetic") { Description = "Generate seeded random weights (the only kind of model this command creates)" };
        var parameters = new Option<long>("--params")
        {
            Description = "Approximate parameter count: digits or a suffix K, M, B (15M, 110M, 1.5B); the real count is printed",
            Required = true,
            CustomParser = ParseParameters,
        };
        var type = new Option<GgmlType>("--type") { Description = "Encoding of the 2-D weights: f32, f16 or q8_0", Required = true, CustomParser = ParseType };
        var vocabFrom = new Option<string?>("--vocab-from") { Description = "Copy every tokenizer.* key (and the vocabulary size) from this GGUF file; default: a builtin 512-token vocabulary" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the weights", DefaultValueFactory = _ => 42, CustomParser = ParseSeed };
        var context = new Option<int>("--ctx") { Description = "llama.context_length", DefaultValueFactory = _ => 2048, CustomParser = ParseContext };
        var name = new Option<string?>("--name") { Description = "general.name; default: the output file name without extension" };
        var output = new Option<string>("--out") { Description = "GGUF file to write (its directory is created)", Required = true };
        var format = OutputOption.Create();

        vocabFrom.Validators.Add(r => RequireFile(r, "--vocab-from"));
        output.Validators.Add(r =>
        {
            var path = r.GetValueOrDefault<string>();
            if (string.IsNullOrWhiteSpace(path) || Directory.Exists(path))
            {
                r.AddError($"--out: '{path}' is not a file path");
            }
        });

        var command = new Command("create", "Create a model file.")
        {
            synthetic, parameters, type, vocabFrom, seed, context, name, output, format,
        };
        command.Validators.Add(r =>
        {
            if (r.GetResult(synthetic) is null)
            {
                r.AddError("model create: only synthetic models can be created; pass --synthetic");
            }
        });
        command.SetAction((parse, ct) => RunAsync(
            new ModelCreateRequest(parse.GetValue(parameters), parse.GetValue(type), parse.GetValue(vocabFrom), parse.GetValue(seed),
                parse.GetValue(context), parse.GetValue(name), parse.GetRequiredValue(output), parse.GetValue(format)),
            ct));
        return command;
    }

    private static async Task<int> RunAsync(ModelCreateRequest request, CancellationToken cancellationToken)
    {
        SyntheticVocabulary vocabulary;
        try
        {
            vocabulary = request.VocabFrom is null ? SyntheticVocabulary.Builtin : SyntheticVocabulary.FromGguf(request.VocabFrom);
        }
        catch (Exception e) when (e is GgufFormatException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"error: --vocab-from: '{request.VocabFrom}': {e.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var shape = SyntheticModelShape.ForParameterCount(request.Parameters, vocabulary.Count);
        var options = new SyntheticModelOptions
        {
            Shape = shape,
            Type = request.Type,
            Seed = request.Seed,
            ContextLength = request.Context,
            Name = request.Name ?? Path.GetFileNameWithoutExtension(request.Out),
            Vocabulary = vocabulary,
        };
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            await Console.Error.WriteLineAsync($"error: cannot create {shape} as {request.Type}: {string.Join("; ", problems)}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var started = TimeProvider.System.GetTimestamp();
        SyntheticModelResult result;
        try
        {
            result = await SyntheticModel.WriteAsync(options, request.Out, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Canceled;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"error: writing {request.Out}: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        var seconds = TimeProvider.System.GetElapsedTime(started).TotalSeconds;
        Print(result, options, seconds, request.Format);
        return ExitCodes.Ok;
    }

    private static void Print(SyntheticModelResult result, SyntheticModelOptions options, double seconds, OutputFormat format)
    {
        var s = result.Shape;
        if (format == OutputFormat.Json)
        {
            JsonLine.Write(Console.Out, new
            {
                path = Path.GetFullPath(result.Path),
                type = TypeName(result.Type),
                shape = new { dim = s.Dim, layers = s.Layers, heads = s.Heads, kvHeads = s.KvHeads, feedForward = s.FeedForward, vocab = s.VocabSize },
                parameters = result.ParameterCount,
                bytes = result.Bytes,
                seed = options.Seed,
                contextLength = options.ContextLength,
                vocabulary = options.Vocabulary.Source,
                seconds = Math.Round(seconds, 3),
            });
            return;
        }

        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"created {result.Path}: llama {s}, {result.ParameterCount:N0} parameters ({ParameterCount.Format(result.ParameterCount)}), {TypeName(result.Type)}, {result.Bytes:N0} bytes ({ByteSizes.Format(result.Bytes)}) in {seconds:0.00} s"));
    }

    private static string TypeName(GgmlType type) => type.ToString().ToLowerInvariant();

    private static long ParseParameters(ArgumentResult result)
    {
        var text = result.Tokens.Single().Value;
        if (!ParameterCount.TryParse(text, out var n))
        {
            result.AddError($"--params: '{text}' is not a parameter count (digits, or a number with K, M or B: 15M, 110M, 1.5B)");
        }
        else if (n > MaxParameters)
        {
            result.AddError($"--params: '{text}' is more than the {ParameterCount.Format(MaxParameters)} parameters this generator makes");
        }

        return n;
    }

    private static GgmlType ParseType(ArgumentResult result)
    {
        var text = result.Tokens.Single().Value;
        switch (text.ToLowerInvariant())
        {
            case "f32": return GgmlType.F32;
            case "f16": return GgmlType.F16;
            case "q8_0": return GgmlType.Q8_0;
            default:
                result.AddError($"--type: '{text}' is not one of f32, f16, q8_0");
                return GgmlType.F32;
        }
    }

    private static ulong ParseSeed(ArgumentResult result)
    {
        var text = result.Tokens.Single().Value;
        if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seed))
        {
            result.AddError($"--seed: '{text}' is not a non-negative integer");
        }

        return seed;
    }

    private static int ParseContext(ArgumentResult result)
    {
        var text = result.Tokens.Single().Value;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n is < 1 or > MaxContext)
        {
            result.AddError($"--ctx: '{text}' is not a context length from 1 to {MaxContext}");
        }

        return n;
    }

    private static void RequireFile(OptionResult result, string option)
    {
        var path = result.GetValueOrDefault<string?>();
        if (path is not null && !File.Exists(path))
        {
            result.AddError($"{option}: '{path}' does not exist");
        }
    }
}
