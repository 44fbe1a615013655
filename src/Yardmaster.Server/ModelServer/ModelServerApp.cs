using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Yardmaster.Inference.Engine;
using Yardmaster.Inference.Llama;
using Yardmaster.Inference.Tokenization;

namespace Yardmaster.Server.ModelServer;

/// <summary>
/// An OpenAI-compatible HTTP server for one GGUF model on the builtin runtime: loads the model, starts
/// the engine and Kestrel, and on disposal stops accepting, cancels running sequences and unmaps the file.
/// </summary>
public sealed class ModelServerApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly LlamaModel _model;
    private readonly InferenceEngine _engine;

    private readonly TimeProvider _time;
    private readonly ServedModel _served;
    private readonly TimeSpan _loading;

    private ModelServerApp(WebApplication app, LlamaModel model, InferenceEngine engine, ServedModel served, TimeProvider time, TimeSpan loading)
    {
        _app = app;
        _model = model;
        _engine = engine;
        _served = served;
        Name = served.Name;
        _time = time;
        _loading = loading;
    }

    /// <summary>
    /// Time to load the model to its first token: opening and mapping the file, the tokenizer, the engine
    /// (in <see cref="Create"/>) plus the warm-up generation that <see cref="StartAsync"/> runs before
    /// listening (reading every weight once, compiling the kernels); building the web host is not
    /// counted. Set after <see cref="StartAsync"/>.
    /// </summary>
    public TimeSpan LoadTime { get; private set; }

    /// <summary>The model's public id.</summary>
    public string Name { get; }

    /// <summary>The URL the server listens on, with the real port when 0 was asked for. Set after <see cref="StartAsync"/>.</summary>
    public Uri? Url { get; private set; }

    /// <summary>The engine (for status and tests).</summary>
    public InferenceEngine Engine => _engine;

    /// <summary>
    /// Loads the model and builds the server. Throws <see cref="ArgumentException"/> listing every invalid
    /// option, and the model's own load errors (<see cref="Inference.Gguf.GgufFormatException"/>, <see cref="UnsupportedModelException"/>).
    /// </summary>
    public static ModelServerApp Create(ModelServerOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
        }

        time ??= TimeProvider.System;
        var started = time.GetTimestamp();
        var model = LlamaModel.Load(options.ModelPath);
        InferenceEngine? engine = null;
        try
        {
            var tokenizer = TokenizerFactory.FromGguf(model.File);
            engine = new InferenceEngine(model, tokenizer, options.Engine, time);
            var name = options.Name ?? Path.GetFileNameWithoutExtension(options.ModelPath);
            var served = new ServedModel(name, engine, tokenizer, ChatTemplate.Detect(model.File.GetString("tokenizer.chat_template")), time.GetUtcNow().ToUnixTimeSeconds());
            var loading = time.GetElapsedTime(started);
            var app = Build(options, served, time);
            return new ModelServerApp(app, model, engine, served, time, loading);
        }
        catch
        {
            engine?.Dispose();
            model.Dispose();
            throw;
        }
    }

    /// <summary>Generates one token (touching every weight and compiling the kernels), then starts listening; returns the URL.</summary>
    public async Task<Uri> StartAsync(CancellationToken cancellationToken)
    {
        var warmUp = _time.GetTimestamp();
        await _engine.WarmUpAsync(cancellationToken).ConfigureAwait(false);
        LoadTime = _loading + _time.GetElapsedTime(warmUp);
        _served.LoadTime = LoadTime;
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Url = new Uri(address);
        return Url;
    }

    /// <summary>Completes when the host stops (SIGTERM, Ctrl-C or <see cref="StopAsync"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops accepting requests and ends running ones.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _app.StopAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _engine.Dispose();
        await _app.DisposeAsync().ConfigureAwait(false);
        _model.Dispose();
    }

    private static WebApplication Build(ModelServerOptions options, ServedModel served, TimeProvider time)
    {
        var builder = ServerHost.CreateBuilder();
        Logging.ConsoleLogging.Configure(builder.Logging, options.LogFormat, Logging.LogVerbosity.Quiet);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes ?? ModelServerOptions.DefaultBodyLimit(served.Engine.ContextLength);
            k.AddServerHeader = false;
            if (options.Host is "localhost")
            {
                k.ListenLocalhost(options.Port);
            }
            else
            {
                k.Listen(IPAddress.Parse(options.Host), options.Port);
            }
        });
        builder.Services.Configure<KestrelServerOptions>(k => k.AllowSynchronousIO = false);
        builder.Services.AddSingleton(time);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        var app = builder.Build();

        // On SIGTERM or Ctrl-C, end running sequences at once (their streams close) so the host's
        // graceful stop does not wait for long generations.
        app.Lifetime.ApplicationStopping.Register(served.Engine.Dispose);
        var completions = new CompletionEndpoint(served, time);
        app.MapPost("/v1/completions", (HttpContext http) => completions.HandleAsync(http, chat: false));
        app.MapPost("/v1/chat/completions", (HttpContext http) => completions.HandleAsync(http, chat: true));
        var embeddings = new EmbeddingsEndpoint(served, time);
        app.MapPost("/v1/embeddings", embeddings.HandleAsync);
        app.MapGet("/v1/models", (HttpContext http) => WriteModelsAsync(http, served));
        app.MapGet("/health", (HttpContext http) => WriteHealthAsync(http, served.Engine));
        // A known path with another method is a 405 with Allow; anything else a 404 naming the routes.
        app.MapFallback(new Gateway.NoRoute(app, "this server answers POST /v1/completions, POST /v1/chat/completions, POST /v1/embeddings, GET /v1/models and GET /health").WriteAsync);
        return app;
    }

    private static Task WriteModelsAsync(HttpContext http, ServedModel served)
    {
        var config = served.Engine.Model.Config;
        return JsonResponse.WriteAsync(http, json =>
        {
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            json.WriteStartObject();
            json.WriteString("id", served.Name);
            json.WriteString("object", "model");
            json.WriteNumber("created", served.Created);
            json.WriteString("owned_by", "yardmaster");
            json.WriteStartObject("meta");
            json.WriteNumber("n_vocab", config.VocabularySize);
            json.WriteNumber("n_ctx_train", config.ContextLength);
            json.WriteNumber("n_ctx", served.Engine.ContextLength);
            json.WriteNumber("n_embd", config.Dim);
            json.WriteNumber("n_params", ParameterCount(served.Engine.Model));
            json.WriteNumber("size", served.Engine.Model.WeightBytes);
            json.WriteNumber("slots", served.Engine.Options.Slots);
            json.WriteNumber("kv_cache_bytes", served.Engine.KvCacheBytes);
            json.WriteNumber("load_ms", Math.Round(served.LoadTime.TotalMilliseconds, 1));
            json.WriteString("chat_template", served.Template.Name);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private static Task WriteHealthAsync(HttpContext http, InferenceEngine engine)
    {
        var status = engine.Status;
        return JsonResponse.WriteAsync(http, json =>
        {
            json.WriteStartObject();
            json.WriteString("status", "ok");
            json.WriteNumber("slots_total", status.Slots);
            json.WriteNumber("slots_busy", status.BusySlots);
            json.WriteNumber("queued", status.Queued);
            json.WriteNumber("completed", status.Completed);
            json.WriteNumber("preemptions", status.Preemptions);
            json.WriteNumber("preempted", status.Preempted);
            json.WriteNumber("recomputed", status.Recomputed);
            json.WriteEndObject();
        });
    }

    private static long ParameterCount(LlamaModel model) => model.File.Tensors.Sum(t => t.ElementCount);
}
