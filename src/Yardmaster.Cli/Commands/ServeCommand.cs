using System.CommandLine;
using Microsoft.Extensions.Logging;
using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Inference.Catalog;
using Yardmaster.Runtime.Configuration;
using Yardmaster.Server.Backends;
using Yardmaster.Server.Gateway;
using Yardmaster.Server.Logging;

namespace Yardmaster.Cli.Commands;

/// <summary><c>yard serve</c>: the scheduler behind the OpenAI-compatible gateway and the management API.</summary>
internal static partial class ServeCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config", "-c") { Description = "yard.yaml to run (default: the embedded default: the default model as tasks 'chat' and 'batch')" };
        var host = new Option<string?>("--host") { Description = "Address to listen on (overrides server.host; default 127.0.0.1)" };
        var port = new Option<int?>("--port") { Description = "Port to listen on (overrides server.port; default 8080; 0 picks a free one)" };
        var data = new Option<string?>("--data") { Description = "Data folder for the store and logs (default $YARD_HOME, else ~/.cache/yardmaster)" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Also log the schedulers' events: loads, unloads, refusals, scale changes, step transitions (never one line per HTTP request)" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Log only warnings and errors (no access line per request)" };
        var logFormat = LogFormatOption.Create();
        var insecure = new Option<bool>("--insecure-no-auth")
        {
            Description = "Serve /v1 without keys even on an address other machines can reach (never opens /api, which always needs an admin key)",
        };
        var check = new Option<bool>("--check") { Description = "Only check the --config file (every error, exit 2) and start nothing" };
        var command = new Command("serve", "Serve tasks and models over the OpenAI API, scheduling requests by priority and deadline.")
        {
            config, host, port, data, verbose, quiet, logFormat, insecure, check,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(verbose) && result.GetValue(quiet))
            {
                result.AddError("--quiet and --verbose contradict each other; give one");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var dataDirectory = Path.GetFullPath(parse.GetValue(data) ?? DefaultDataDirectory());
            YardConfig yard;
            if (parse.GetValue(check) && parse.GetValue(config) is null)
            {
                await Console.Error.WriteLineAsync("error: --check checks a config file; name it with --config FILE").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            if (parse.GetValue(config) is { } file)
            {
                var loaded = YardConfigLoader.Load(file);
                if (loaded.Config is null)
                {
                    await ValidationErrors.From(loaded.Errors).WriteAsync($" in {file}; nothing started").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }

                yard = loaded.Config;
            }
            else
            {
                // Refuse an exposed bind before pulling a model for it.
                if (ExposureRule.Check(new YardConfig { Server = new ServerSettings { Host = parse.GetValue(host) ?? new ServerSettings().Host } }, parse.GetValue(insecure)) is { } exposed)
                {
                    await Console.Error.WriteLineAsync($"error: {exposed}").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }

                // Checked before the pull of the default model (minutes on a first start), not after it.
                if (await CannotStartAsync(dataDirectory, parse.GetValue(host) ?? new YardConfig().Server.Host, parse.GetValue(port) ?? new YardConfig().Server.Port).ConfigureAwait(false))
                {
                    return ExitCodes.Failure;
                }

                string model;
                try
                {
                    model = await DefaultModel.ResolveAsync(null, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is ArgumentException or HttpRequestException or IOException or ModelChecksumException or UnauthorizedAccessException)
                {
                    await Console.Error.WriteLineAsync($"error: cannot get the default model: {e.Message}").ConfigureAwait(false);
                    return ExitCodes.Failure;
                }

                yard = EmbeddedDefault(model);
            }

            var server = yard.Server with
            {
                Host = parse.GetValue(host) ?? yard.Server.Host,
                Port = parse.GetValue(port) ?? yard.Server.Port,
            };
            if (server.Port is < 0 or > 65535)
            {
                await Console.Error.WriteLineAsync($"error: --port must be between 0 and 65535, got {server.Port}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            if (server.Host != "localhost" && !System.Net.IPAddress.TryParse(server.Host, out _))
            {
                await Console.Error.WriteLineAsync($"error: --host must be an IP address or localhost, got '{server.Host}'").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            yard = yard with { Server = server };
            if (ExposureRule.Check(yard, parse.GetValue(insecure)) is { } refused)
            {
                await Console.Error.WriteLineAsync($"error: {refused}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            if (parse.GetValue(check))
            {
                Console.WriteLine($"{parse.GetValue(config)}: valid: {Counted(yard.Tasks.Count, "task")}, {Counted(yard.Models.Count, "model")}, listening on {server.Host}:{server.Port} when served; nothing started");
                return ExitCodes.Ok;
            }

            if (await CannotStartAsync(dataDirectory, server.Host, server.Port).ConfigureAwait(false))
            {
                return ExitCodes.Failure;
            }

            var options = new GatewayOptions
            {
                Config = yard,
                InsecureNoAuth = parse.GetValue(insecure),
                DataDirectory = dataDirectory,
                Backends = new BackendOptions { LogDirectory = Path.Combine(dataDirectory, "logs") },
                Verbosity = parse.GetValue(verbose) ? LogVerbosity.Verbose : parse.GetValue(quiet) ? LogVerbosity.Quiet : LogVerbosity.Normal,
                LogFormat = parse.GetValue(logFormat),
            };
            return await RunAsync(options, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static string Counted(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    /// <summary><c>$YARD_HOME</c>, else <c>~/.cache/yardmaster</c>.</summary>
    public static string DefaultDataDirectory()
    {
        var home = Environment.GetEnvironmentVariable(ModelCache.HomeVariable);
        return string.IsNullOrEmpty(home) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "yardmaster") : home;
    }

    /// <summary>Prints why the server cannot start here (the data folder is another scheduler's, the port is taken) and returns true; false when it can.</summary>
    private static async Task<bool> CannotStartAsync(string dataDirectory, string host, int port)
    {
        var problem = Yardmaster.Server.Pipelines.DataFolderLock.InUse(dataDirectory);
        if (problem is null && port is >= 0 and <= 65535 && (host == "localhost" || System.Net.IPAddress.TryParse(host, out _)))
        {
            problem = ListenCheck.Problem(host, port);
        }

        if (problem is null)
        {
            return false;
        }

        await Console.Error.WriteLineAsync($"error: {problem}").ConfigureAwait(false);
        return true;
    }

    /// <summary>The default model as task <c>chat</c> (high priority, 10 s latency SLO) and task <c>batch</c> (batch priority).</summary>
    public static YardConfig EmbeddedDefault(string modelPath)
    {
        var name = Path.GetFileNameWithoutExtension(modelPath);
        return new YardConfig
        {
            Models = [new ModelDefinition { Name = name, Backend = BackendKind.Builtin, Path = modelPath, Slots = 4, ReplicasMin = 0, ReplicasMax = 1 }],
            Tasks =
            [
                new TaskDefinition { Name = "chat", Priority = PriorityClass.High, Ttft = TimeSpan.FromMilliseconds(500), Latency = TimeSpan.FromSeconds(10), Models = [name] },
                new TaskDefinition { Name = "batch", Priority = PriorityClass.Batch, Models = [name] },
            ],
        };
    }

    private static async Task<int> RunAsync(GatewayOptions options, CancellationToken cancellationToken)
    {
        // With --log-format json every line on standard output is JSON, these too; in text they stay plain lines.
        using var loggers = options.LogFormat == LogFormat.Json
            ? LoggerFactory.Create(b => ConsoleLogging.Configure(b, options.LogFormat, options.Verbosity).AddFilter(Category, LogLevel.Information))
            : null;
        var status = loggers?.CreateLogger(Category);
        var app = new GatewayApp(options);
        await using (app.ConfigureAwait(false))
        {
            Uri url;
            try
            {
                url = await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Yardmaster.Server.Pipelines.DataFolderInUseException e)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }
            catch (Exception e) when (ListenCheck.Describe(e, options.Config.Server.Host, options.Config.Server.Port) is { } listen)
            {
                // Kestrel wraps the socket error (IOException around AddressInUseException); any wrapping ends here.
                await Console.Error.WriteLineAsync($"error: {listen}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }
            catch (IOException e)
            {
                await Console.Error.WriteLineAsync($"error: cannot listen on {options.Config.Server.Host}:{options.Config.Server.Port}: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }
            catch (Exception e) when (e is InvalidOperationException or Microsoft.Data.Sqlite.SqliteException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"error: cannot open the store {app.StoreLocation}: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            var config = options.Config;
            var (tasks, models, listening) = (string.Join(", ", config.Tasks.Select(t => t.Name)), string.Join(", ", config.Models.Select(m => m.Name)), url.ToString().TrimEnd('/'));
            if (status is null)
            {
                Console.WriteLine($"yard serve: {config.Tasks.Count} task(s) [{tasks}], {config.Models.Count} model(s) [{models}]; store {app.StoreLocation}");
                Console.WriteLine($"listening on {listening}");
            }
            else
            {
                Log.Serving(status, config.Tasks.Count, tasks, config.Models.Count, models, app.StoreLocation);
                Log.Listening(status, listening);
            }

            if (app.AdminTokenPath is { } token)
            {
                if (status is null)
                {
                    Console.WriteLine($"admin token for /api: {token} ({(app.AdminTokenCreated ? "new" : "kept")}, mode 0600); the yard CLI of this user on this machine reads it; elsewhere pass --admin-key");
                }
                else
                {
                    Log.AdminToken(status, token, app.AdminTokenCreated ? "new" : "kept");
                }
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
                Console.WriteLine("yard serve: stopped");
            }
        }

        if (status is not null)
        {
            Log.Stopped(status);
        }

        return ExitCodes.Ok;
    }
}
