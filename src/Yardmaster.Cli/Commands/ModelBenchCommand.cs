using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Yardmaster.Inference.Gguf;
using Yardmaster.Inference.Llama;

namespace Yardmaster.Cli.Commands;

/// <summary>
/// <c>yard model bench FILE [--prompt-tokens N] [--output-tokens N] [--threads N] [--repeat N] [--concurrency N,M...] [--output text|json]</c>:
/// the builtin runtime's prefill and decode tokens per second on this machine (<see cref="ModelBenchmark"/>), the
/// figures <c>yard simulate</c>'s token model takes.
/// </summary>
internal static class ModelBenchCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "The GGUF model file" };
        var prompt = Positive("--prompt-tokens", "Prompt length in tokens (BOS included)", 512, 2);
        var output = Positive("--output-tokens", "Tokens generated per request (end of generation ignored)", 128, 2);
        var threads = new Option<int>("--threads", "-t") { Description = "Compute threads (0: one per core)", DefaultValueFactory = _ => 0 };
        threads.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 0)
            {
                r.AddError("--threads must be 0 (one per core) or more");
            }
        });
        var repeat = Positive("--repeat", "Requests measured; the medians are reported", 3, 1);
        var concurrency = new Option<string?>("--concurrency") { Description = "Also measure per-sequence rates with this many sequences at once, e.g. 1,2,4 (an engine of that many slots); the text output ends with them as models[].simulation yaml" };
        concurrency.Validators.Add(r =>
        {
            if (Levels(r.GetValueOrDefault<string?>()) is null)
            {
                r.AddError("--concurrency must be comma-separated whole numbers from 1 to 64, e.g. 1,2,4");
            }
        });
        var format = OutputOption.Create();
        format.Aliases.Add("--format");
        var command = new Command("bench", "Measure the builtin runtime's load time and prefill and decode tokens per second on a GGUF file, on this machine.")
        {
            file, prompt, output, threads, repeat, concurrency, format,
        };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!File.Exists(path))
            {
                await Console.Error.WriteLineAsync($"error: {path} does not exist").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            ModelBenchmark.Result result;
            try
            {
                result = await ModelBenchmark.RunAsync(path, parse.GetValue(prompt), parse.GetValue(output), parse.GetValue(threads), parse.GetValue(repeat), Levels(parse.GetValue(concurrency)) ?? [], TimeProvider.System, ct).ConfigureAwait(false);
            }
            catch (GgufFormatException e)
            {
                await Console.Error.WriteLineAsync($"error: {path} is not a GGUF model file: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }
            catch (Exception e) when (e is UnsupportedModelException or ArgumentException)
            {
                await Console.Error.WriteLineAsync($"error: {path}: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"error: cannot read {path}: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            await Console.Out.WriteLineAsync(parse.GetValue(format) == OutputFormat.Json ? Json(result) : Text(result)).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Option<int> Positive(string name, string description, int value, int least)
    {
        var option = new Option<int>(name) { Description = $"{description} (default {value})", DefaultValueFactory = _ => value };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < least)
            {
                r.AddError($"{name} must be at least {least}");
            }
        });
        return option;
    }

    /// <summary>The levels of <c>--concurrency</c>, increasing and each once (the order of the table's rows): empty when absent, null when malformed.</summary>
    private static int[]? Levels(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        var levels = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1 || n > 64)
            {
                return null;
            }

            levels.Add(n);
        }

        return [.. levels.Distinct().Order()];
    }

    /// <summary>One line; with <c>--concurrency</c>, then the <c>simulation:</c> mapping of a model in yard.yaml, ready to paste.</summary>
    private static string Text(ModelBenchmark.Result r) => string.Create(CultureInfo.InvariantCulture,
        $"{r.Model}: load {r.LoadSeconds:0.###} s; prefill {r.PrefillTokensPerSecond:0} tokens/s ({r.PromptTokens}-token prompt); decode {r.DecodeTokensPerSecond:0.#} tokens/s ({r.OutputTokens} tokens); {r.Threads} thread(s), median of {r.Repeat}")
        + (r.Concurrency.Count == 0 ? string.Empty : "\n" + SimulationYaml(r));

    /// <summary>The per-sequence rates by sequences at once in the shape of <c>models[].simulation</c> (what <c>yard simulate</c> and <c>yard tune</c> read).</summary>
    private static string SimulationYaml(ModelBenchmark.Result r) =>
        "# per-sequence rates by sequences at once, for models[].simulation in yard.yaml (yard simulate, yard tune):\n"
        + string.Create(CultureInfo.InvariantCulture, $"simulation:\n  load_time: {r.LoadSeconds * 1000:0}ms\n  concurrency:")
        + string.Concat(r.Concurrency.Select(c => string.Create(CultureInfo.InvariantCulture,
            $"\n    - {{ sequences: {c.Sequences}, prefill_tokens_per_second: {c.PrefillTokensPerSecond:0.#}, decode_tokens_per_second: {c.DecodeTokensPerSecond:0.#} }}")));

    private static string Json(ModelBenchmark.Result r)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Core.ReadableJson.Writer))
        {
            json.WriteStartObject();
            json.WriteString("model", r.Model);
            json.WriteString("file", r.File);
            json.WriteNumber("prefill_tokens_per_second", Math.Round(r.PrefillTokensPerSecond, 1));
            json.WriteNumber("decode_tokens_per_second", Math.Round(r.DecodeTokensPerSecond, 1));
            json.WriteNumber("load_seconds", Math.Round(r.LoadSeconds, 4));
            json.WriteNumber("prompt_tokens", r.PromptTokens);
            json.WriteNumber("output_tokens", r.OutputTokens);
            json.WriteNumber("threads", r.Threads);
            json.WriteNumber("repeat", r.Repeat);
            json.WriteNumber("context_length", r.ContextLength);
            if (r.Concurrency.Count > 0)
            {
                json.WriteStartArray("concurrency");
                foreach (var c in r.Concurrency)
                {
                    json.WriteStartObject();
                    json.WriteNumber("sequences", c.Sequences);
                    json.WriteNumber("prefill_tokens_per_second", Math.Round(c.PrefillTokensPerSecond, 1));
                    json.WriteNumber("decode_tokens_per_second", Math.Round(c.DecodeTokensPerSecond, 1));
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
