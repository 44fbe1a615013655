using System.CommandLine;
using Microsoft.Extensions.Logging;
using Yardmaster.Inference.Catalog;
using Yardmaster.Inference.Gguf;
using Yardmaster.Inference.Llama;
using Yardmaster.Server.Logging;
using Yardmaster.Server.ModelServer;

namespace Yardmaster.Cli.Commands;

/// <summary><c>yard model-server</c>: an OpenAI-compatible server for one GGUF model on the builtin runtime.</summary>
internal static partial class ModelServerCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = "GGUF file to serve (default: the default model, pulled on first use)" };
        var name = new Option<string?>("--name") { Description = "Model id in /v1/models (default: the file name without extension)" };
        var host = new Option<string>("--host") { Description = "Address to listen on", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Port to listen on (0 picks a free one)", DefaultValueFactory = _ => 8080 };
        var slots = new Option<int>("--slots") { Description = "Sequences decoded at once", DefaultValueFactory = _ => 4 };
        var ctx = new Option<int>("--ctx") { Description = "Context length per sequence (0: the model's, at most 4096)", DefaultValueFactory = _ => 0 };
        var threads = new Option<int>("--threads", "-t") { Description = "Compute threads (0: one per core)", DefaultValueFactory = _ => 0 };
        var baseUrl = new Option<string?>("--base-url") { Description = "Mirror to pull the default model from (overrides YARD_MODEL_BASE_URL)" };
        var maxBody = new Option<long?>("--max-body") { Description = "Largest request body in bytes (default: 64 per token of context, at least 1 MiB)" };
        var queue = new Option<int>("--queue") { Description = "Requests that may wait for a slot before 429", DefaultValueFactory = _ => 64 };
        var logFormat = LogFormatOption.Create();
        var command = new Command("model-server", "Serve one GGUF model over the OpenAI API (completions, chat, models, health).")
        {
            model, name, host, port, slots, ctx, threads, queue, maxBody, baseUrl, logFormat,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(model);
            if (path is null)
            {
                try
                {
                    path = await DefaultModel.ResolveAsync(parse.GetValue(baseUrl), cancellationToken).ConfigureAwait(false);
                }
                catch (ArgumentException e)
                {
                    await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }
                catch (Exception e) when (e is HttpRequestException or IOException or ModelChecksumException or UnauthorizedAccessException)
                {
                    await Console.Error.WriteLineAsync($"error: cannot get the default model: {e.Message}").ConfigureAwait(false);
                    return ExitCodes.Failure;
                }
            }

            var options = new ModelServerOptions
            {
                ModelPath = path,
                Name = parse.GetValue(name),
                Host = parse.GetValue(host)!,
                Port = parse.GetValue(port),
                MaxRequestBodyBytes = parse.GetValue(maxBody),
                LogFormat = parse.GetValue(logFormat),
                Engine = new()
                {
                    Slots = parse.GetValue(slots),
                    ContextLength = parse.GetValue(ctx),
                    Threads = parse.GetValue(threads),
                    MaxQueue = parse.GetValue(queue),
                },
            };
            return await RunAsync(options, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(ModelServerOptions options, CancellationToken cancellationToken)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            foreach (var e in errors)
            {
                await Console.Error.WriteLineAsync($"error: {e}").ConfigureAwait(false);
            }

            return ExitCodes.Usage;
        }

        ModelServerApp app;
        try
        {
            app = ModelServerApp.Create(options);
        }
        catch (Exception e) when (e is GgufFormatException or UnsupportedModelException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"error: cannot load {options.ModelPath}: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        // With --log-format json every line on standard output is JSON, these too; in text they stay plain lines.
        using var loggers = options.LogFormat == LogFormat.Json
            ? LoggerFactory.Create(b => ConsoleLogging.Configure(b, options.LogFormat, LogVerbosity.Quiet).AddFilter(Category, LogLevel.Information))
            : null;
        var status = loggers?.CreateLogger(Category);
        await using (app.ConfigureAwait(false))
        {
            Uri url;
            try
            {
                url = await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                await Console.Error.WriteLineAsync($"error: cannot listen on {options.Host}:{options.Port}: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            var engine = app.Engine;
            var config = engine.Model.Config;
            var summary =
                $"{app.Name} ({Path.GetFileName(options.ModelPath)}, {engine.Model.WeightBytes / (1024.0 * 1024.0):F1} MiB, dim {config.Dim}, {config.Layers} layers, vocab {config.VocabularySize}); " +
                $"{engine.Options.Slots} slots, ctx {engine.ContextLength}, {engine.Threads} threads; loaded to first token in {app.LoadTime.TotalMilliseconds:F0} ms";
            var listening = url.ToString().TrimEnd('/');
            if (status is null)
            {
                Console.WriteLine($"yard model-server: {summary}");
                Console.WriteLine($"listening on {listening}");
            }
            else
            {
                Log.Serving(status, summary);
                Log.Listening(status, listening);
            }

            try
            {
                await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C: fall through to a clean stop.
            }

            if (status is null)
            {
                Console.WriteLine("yard model-server: stopped");
            }
        }

        if (status is not null)
        {
            Log.Stopped(status);
        }

        return ExitCodes.Ok;
    }
}
