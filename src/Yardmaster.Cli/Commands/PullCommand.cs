using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Yardmaster.Inference.Catalog;

using Yardmaster.Core.Units;

namespace Yardmaster.Cli.Commands;

/// <summary>
/// <c>yard pull [NAME|URL] [--base-url URL] [--output text|json]</c>: downloads a catalog model (default
/// <c>stories260K</c>) or any GGUF URL into the model cache, resuming and verifying.
/// </summary>
internal static class PullCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model")
        {
            Description = "A catalog name (" + string.Join(", ", ModelCatalog.Entries.Select(e => e.Name)) + ") or an http(s) URL of a .gguf file",
            DefaultValueFactory = _ => ModelCatalog.Default.Name,
        };
        model.Validators.Add(r =>
        {
            var problem = ModelPuller.Validate(r.GetValueOrDefault<string>());
            if (problem is not null)
            {
                r.AddError("model: " + problem);
            }
        });
        var baseUrl = new Option<string?>("--base-url")
        {
            Description = $"Mirror to fetch catalog models from, as {{base}}/{{file name}} (overrides {ModelCatalog.BaseUrlVariable})",
        };
        baseUrl.Validators.Add(r =>
        {
            var text = r.GetValueOrDefault<string?>();
            if (!ModelCatalog.TryParseBaseUrl(text, out _))
            {
                r.AddError($"--base-url: '{text}' is not an absolute http(s) URL");
            }
        });
        var format = OutputOption.Create();
        var command = new Command("pull", $"Download a model into the model cache (${ModelCache.HomeVariable}/models).") { model, baseUrl, format };
        command.SetAction((parse, ct) => RunAsync(parse.GetRequiredValue(model), parse.GetValue(baseUrl), parse.GetValue(format), ct));
        return command;
    }

    private static async Task<int> RunAsync(string model, string? baseUrlFlag, OutputFormat format, CancellationToken cancellationToken)
    {
        var baseUrlText = baseUrlFlag ?? Environment.GetEnvironmentVariable(ModelCatalog.BaseUrlVariable);
        Uri? baseUrl = null;
        if (!string.IsNullOrEmpty(baseUrlText) && !ModelCatalog.TryParseBaseUrl(baseUrlText, out baseUrl))
        {
            await Console.Error.WriteLineAsync($"error: {ModelCatalog.BaseUrlVariable}: '{baseUrlText}' is not an absolute http(s) URL").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        using var http = ModelPuller.CreateHttpClient();
        var puller = new ModelPuller(ModelCache.FromEnvironment(), http, baseUrl);
        ModelPullResult result;
        try
        {
            result = await PullWithProgressAsync(puller, model, format, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Canceled;
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or IOException or ModelChecksumException or UnauthorizedAccessException)
        {
            var hint = e is IOException and not FileNotFoundException ? " (run the same command again to resume)" : string.Empty;
            await Console.Error.WriteLineAsync($"error: pull {model}: {e.Message}{hint}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        Print(result, format);
        return ExitCodes.Ok;
    }

    private static async Task<ModelPullResult> PullWithProgressAsync(
        ModelPuller puller, string model, OutputFormat format, CancellationToken cancellationToken)
    {
        if (format == OutputFormat.Json)
        {
            return await puller.PullAsync(model, null, cancellationToken).ConfigureAwait(false);
        }

        if (Console.IsOutputRedirected)
        {
            var lastDecile = -1;
            var progress = new InlineProgress<ModelPullProgress>(p =>
            {
                if (p.TotalBytes is > 0 and var total && p.BytesReceived * 10 / total is var decile && decile > lastDecile)
                {
                    lastDecile = (int)decile;
                    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{model}: {decile * 10}% ({ByteSizes.Format(p.BytesReceived)} of {ByteSizes.Format(total)})"));
                }
            });
            return await puller.PullAsync(model, progress, cancellationToken).ConfigureAwait(false);
        }

        ModelPullResult? result = null;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(model), maxValue: 1);
                task.IsIndeterminate = true;
                var progress = new InlineProgress<ModelPullProgress>(p =>
                {
                    if (p.TotalBytes is > 0 and var total)
                    {
                        task.IsIndeterminate = false;
                        task.MaxValue = total;
                    }

                    task.Value = p.BytesReceived;
                });
                result = await puller.PullAsync(model, progress, cancellationToken).ConfigureAwait(false);
                task.Value = task.MaxValue;
            }).ConfigureAwait(false);
        return result!;
    }

    private static void Print(ModelPullResult result, OutputFormat format)
    {
        if (format == OutputFormat.Json)
        {
            JsonLine.Write(Console.Out, new
            {
                name = result.Name,
                path = result.Path,
                url = result.Url.AbsoluteUri,
                bytes = result.Bytes,
                sha256 = result.Sha256,
                verified = result.Verified,
                downloaded = result.Downloaded,
                resumed = result.Resumed,
            });
            return;
        }

        var what = result.Downloaded ? (result.Resumed ? "pulled (resumed)" : "pulled") : "already cached";
        var check = result.Verified ? "verified" : "not checked: no known checksum";
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what} {result.Name}: {result.Path}, {result.Bytes:N0} bytes ({ByteSizes.Format(result.Bytes)}), sha256 {result.Sha256} ({check})"));
    }
}
