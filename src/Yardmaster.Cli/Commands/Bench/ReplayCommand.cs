using System.CommandLine;
using Yardmaster.Core.Units;
using Yardmaster.Simulation.Traces;

namespace Yardmaster.Cli.Commands.Bench;

/// <summary><c>yard bench replay</c>: a trace's requests sent to a running gateway with the trace's timing.</summary>
internal static class ReplayCommand
{
    public static Command Create()
    {
        var trace = new Option<string>("--trace") { Description = "The trace file", Required = true };
        var format = new Option<string>("--format") { Description = "Its format: azure-llm, mooncake, alibaba-genai, yard", Required = true };
        var url = new Option<string?>("--url") { Description = $"The gateway's URL (default ${ServerOptions.ServerVariable}, else {ServerOptions.DefaultServer})" };
        var speed = new Option<double>("--speed") { Description = "Divide the trace's times by this (2: twice as fast)", DefaultValueFactory = _ => 1 };
        var max = new Option<int?>("--max-requests") { Description = "Replay only the first N requests" };
        var task = new Option<string?>("--task") { Description = "Task of requests whose trace names none (default: chat, search, batch by class or by a 20/30/50 split)" };
        var key = new Option<string?>("--key") { Description = $"Key sent as 'Authorization: Bearer' (default ${ServerOptions.ApiKeyVariable}); an admin key also reads the tasks' SLOs" };
        var output = new Option<string>("--out", "-o") { Description = "Folder for requests.csv, summary.json and summary.md", DefaultValueFactory = _ => "replay" };
        var chat = new Option<bool>("--chat") { Description = "Send to /v1/chat/completions (default /v1/completions)" };
        var timeout = new Option<string>("--timeout") { Description = "Give up a request not answered within this", DefaultValueFactory = _ => "10m" };
        var strict = new Option<bool>("--strict") { Description = "A malformed trace row is fatal (default: counted, reported by line, skipped)" };
        var command = new Command("replay", "Send a trace's requests to a running gateway with the trace's timing, prompt length and max_tokens; record TTFT, latency and outcome per request and summarize per task.")
        {
            trace, format, url, speed, max, task, key, output, chat, timeout, strict,
        };
        command.SetAction(async (parse, ct) =>
        {
            var error = Check(parse, trace, format, url, speed, max, timeout, out var options);
            if (error is not null)
            {
                await Console.Error.WriteLineAsync($"error: {error}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            options = options! with
            {
                Task = parse.GetValue(task),
                Key = NonEmpty(parse.GetValue(key)) ?? NonEmpty(Environment.GetEnvironmentVariable(ServerOptions.ApiKeyVariable)),
                Output = parse.GetValue(output)!,
                Chat = parse.GetValue(chat),
                Strict = parse.GetValue(strict),
            };
            try
            {
                return await TraceReplayer.RunAsync(options, Console.Out, Console.Error, TimeProvider.System, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return ExitCodes.Canceled;
            }
        });
        return command;
    }

    private static string? Check(ParseResult parse, Option<string> trace, Option<string> format, Option<string?> url, Option<double> speed, Option<int?> max, Option<string> timeout, out ReplayOptions? options)
    {
        options = null;
        var kind = TraceFormats.Parse(parse.GetValue(format)!, out var formatError);
        if (kind is null)
        {
            return "--format: " + formatError;
        }

        if (kind == TraceFormat.AlibabaGpu)
        {
            return "--format: alibaba-gpu is a pod list, not requests; replay azure-llm, mooncake, alibaba-genai or yard";
        }

        var file = parse.GetValue(trace)!;
        if (!File.Exists(file))
        {
            return $"--trace: {file} does not exist";
        }

        var text = parse.GetValue(url) ?? NonEmpty(Environment.GetEnvironmentVariable(ServerOptions.ServerVariable)) ?? ServerOptions.DefaultServer;
        if (!Uri.TryCreate(text.TrimEnd('/') + "/", UriKind.Absolute, out var target) || target.Scheme is not ("http" or "https"))
        {
            return $"--url: '{text}' is not an absolute http(s) URL";
        }

        if (parse.GetValue(speed) is var s && (!double.IsFinite(s) || s <= 0))
        {
            return "--speed must be a number above 0";
        }

        if (parse.GetValue(max) is { } m && m < 1)
        {
            return "--max-requests must be at least 1";
        }

        if (!Quantities.TryParseDuration(parse.GetValue(timeout), out var limit, out var timeoutError) || limit <= TimeSpan.Zero)
        {
            return $"--timeout: {timeoutError ?? "must be above 0"}";
        }

        options = new ReplayOptions(file, kind.Value, target, s, parse.GetValue(max), null, null, "replay", false, limit, false);
        return null;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
