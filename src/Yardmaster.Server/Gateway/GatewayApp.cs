using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Yardmaster.Core.History;
using Yardmaster.Core.Models;
using Yardmaster.Core.Queueing;
using Yardmaster.Core.Registry;
using Yardmaster.Core.Statistics;
using Yardmaster.Runtime.Serving;
using Yardmaster.Server.Backends;
using Yardmaster.Server.ModelServer;
using Yardmaster.Storage;

namespace Yardmaster.Server.Gateway;

/// <summary>
/// <c>yard serve</c>: the OpenAI-compatible gateway, the management API, the scheduler and the store, wired
/// together. <see cref="StartAsync"/> opens the store, reconciles it with the config, warms the models with
/// <c>replicas.min</c> and starts listening; disposal stops listening, refuses what is queued and unloads
/// every replica (stopping child model servers).
/// </summary>
public sealed class GatewayApp : IAsyncDisposable
{
    private readonly GatewayOptions _options;
    private readonly TimeProvider _time;
    private WebApplication? _app;
    private ServingScheduler? _scheduler;
    private Lazy<Task>? _stopScheduler;
    private IRegistryStore? _store;
    private Pipelines.JobHost? _jobs;
    private Pipelines.InferenceStepExecutor? _inference;
    private BackendLauncher? _launcher;
    private ServingRegistry? _registry;
    private IHistoryStore? _historyStore;
    private Runtime.History.HistoryRecorder? _history;
    private Adapt.SchedulerAdapter? _adapter;
    private Pipelines.ClusterEngines? _clusters;
    private Core.Cluster.IClusterStore? _cluster;
    private Core.Runs.IRunStore? _sharedRuns;
    private Runtime.Cluster.LeaderElector? _elector;
    private HttpClient? _proxyClient;
    private CancellationTokenSource? _refreshing;
    private Task? _refresh;

    /// <summary>Creates the app; nothing runs until <see cref="StartAsync"/>.</summary>
    public GatewayApp(GatewayOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The URL it listens on (with the real port when 0 was asked). Set by <see cref="StartAsync"/>.</summary>
    public Uri? Url { get; private set; }

    /// <summary>The SQLite store file (when <c>store.url</c> does not name a PostgreSQL database instead).</summary>
    public string StorePath => _options.Config.Store.Path ?? Path.Combine(_options.DataDirectory, "yard.db");

    /// <summary>Where the store is, for people: the SQLite file, or the PostgreSQL URL (never with a password).</summary>
    public string StoreLocation => StoreOpener.Location(_options.Config.Store, StorePath);

    /// <summary>
    /// The generated admin token's file, when the config names no admin key (set by <see cref="StartAsync"/>);
    /// null when <c>auth.admin_keys</c> are configured.
    /// </summary>
    public string? AdminTokenPath { get; private set; }

    /// <summary>True when this start created <see cref="AdminTokenPath"/> (a new token).</summary>
    public bool AdminTokenCreated { get; private set; }

    /// <summary>This process among the instances sharing a PostgreSQL store: host, pid and a random suffix.</summary>
    public string InstanceId { get; } = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Environment.MachineName}-{Environment.ProcessId}-{System.Security.Cryptography.RandomNumberGenerator.GetHexString(4, lowercase: true)}");

    /// <summary>True while this instance runs the job scheduler (always, on a SQLite store).</summary>
    public bool LeadsJobs => _jobs is not null;

    /// <summary>The scheduler (for tests and status).</summary>
    public ServingScheduler Scheduler => _scheduler ?? throw new InvalidOperationException("not started");

    /// <summary>Opens the store, starts the scheduler and listens. Throws <see cref="IOException"/> when the port is taken.</summary>
    /// <exception cref="InvalidOperationException">The config would expose the server without keys (<see cref="ExposureRule"/>).</exception>
    public async Task<Uri> StartAsync(CancellationToken cancellationToken)
    {
        var config = _options.Config;
        if (ExposureRule.Check(config, _options.InsecureNoAuth) is { } exposed)
        {
            throw new InvalidOperationException(exposed);
        }

        var builder = ServerHost.CreateBuilder();
        Logging.ConsoleLogging.Configure(builder.Logging, _options.LogFormat, _options.Verbosity);

        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = config.Server.MaxBodyBytes;
            k.AddServerHeader = false;
            if (config.Server.Host is "localhost")
            {
                k.ListenLocalhost(config.Server.Port);
            }
            else
            {
                k.Listen(IPAddress.Parse(config.Server.Host), config.Server.Port);
            }
        });
        builder.Services.AddSingleton(_time);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        Observability.Telemetry.AddServices(builder.Services, config);
        var app = builder.Build();
        _app = app;

        var logging = app.Services.GetRequiredService<ILoggerFactory>();
        var log = logging.CreateLogger(Logging.ConsoleLogging.SchedulerCategory);
        var statistics = new StatisticsCollector();
        // The clusters of jobs.slurm and jobs.kubernetes: their executors run steps and model replicas; their nodes join the ledger.
        _clusters = await Pipelines.ClusterEngines.OpenAsync(config.Jobs, log, _time, cancellationToken).ConfigureAwait(false);
        var clusters = _clusters;
        _options.Backends.Clusters = clusters.ForReplicas;
        _launcher = new BackendLauncher(_options.Backends, _time);
        var settings = config.Scheduler;
        var policies = new ServingPolicies(
            QueuePolicies.Create(settings.Queue) ?? throw new ArgumentException($"unknown queue policy '{settings.Queue}'"),
            () => EvictionPolicies.Create(settings.Eviction) ?? new LruEvictionPolicy(),
            RoutingPolicies.Create(settings.Routing, Random.Shared) ?? new LeastOutstandingRoutingPolicy());
        var nodeLedger = new Runtime.Ledger.ResourceLedger([Pipelines.JobHost.LocalNode(config.Devices), .. clusters.Nodes]);
        _options.Backends.Ledger = nodeLedger; // cluster replicas reserve their node's share there, as steps do
        _options.Backends.BackgroundThreadsFollowSteps = config.Pool.BackgroundThreadsFollowSteps;
        nodeLedger.ReserveForServing(0, config.Pool.ServingReserve);
        // Before the scheduler is given its models: the replicas' cluster jobs a killed server left running are taken over, not started again.
        await _launcher.FindRunningAsync(log, cancellationToken).ConfigureAwait(false);
        _scheduler = new ServingScheduler(settings, config.Devices, _launcher, policies, _time, log, nodeLedger);
        _scheduler.Changed += e =>
        {
            if (e.Kind == ServingEventKind.Loaded)
            {
                statistics.RecordLoad(e.Model, e.Duration ?? TimeSpan.Zero, e.Bytes);
            }
            else if (e is { Kind: ServingEventKind.Unloaded, Unload: UnloadReason.Evicted })
            {
                statistics.RecordEviction(e.Model);
            }
        };
        var scheduler = _scheduler;
        _stopScheduler = new Lazy<Task>(() => scheduler.DisposeAsync().AsTask());

        // On SIGTERM or Ctrl-C, refuse what is queued and unload every replica at once (running answers end,
        // child model servers get SIGTERM), so the host's graceful stop does not wait for long generations.
        app.Lifetime.ApplicationStopping.Register(() => _ = _stopScheduler.Value);

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(StorePath))!);
        _store = await StoreOpener.OpenRegistryAsync(config.Store, StorePath, _time, onUnreadableRow: null, cancellationToken).ConfigureAwait(false);
        var registry = await ServingRegistry.OpenAsync(config, _store, _scheduler, cancellationToken).ConfigureAwait(false);
        using (var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            stopping.CancelAfter(TimeSpan.FromSeconds(30)); // a job that takes longer ends on its own time; the start goes on
            await _launcher.StopUnclaimedAsync(stopping.Token).ConfigureAwait(false);
        }
        if (config.History.Enabled)
        {
            _historyStore = await StoreOpener.OpenHistoryAsync(config.Store, StorePath, _time, row => GatewayLog.UnreadableHistory(log, row.Table, row.Name, string.Join("; ", row.Errors)), cancellationToken).ConfigureAwait(false);
            _history = new Runtime.History.HistoryRecorder(_historyStore, config.History, minute => Usage.Sample(minute, nodeLedger, scheduler), _time, log);
            _scheduler.Changed += _history.Record;
            _history.Start();
        }

        // Inference steps of pipelines call this very gateway, so their requests meet the others in the request scheduler.
        var internalKey = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        _inference = new Pipelines.InferenceStepExecutor(() => Url, internalKey, () => [.. registry.Current.Tasks.Keys, .. registry.Current.Models.Keys], _time)
        {
            RecordQuality = registry.AddQualityAsync,
        };
        // On SQLite this process runs the job scheduler; on a shared PostgreSQL store, only while it holds the lease (below).
        _cluster = await StoreOpener.OpenClusterAsync(config.Store, _time, cancellationToken).ConfigureAwait(false);
        Cluster.LeaderProxy? proxy = null;
        if (_cluster is null)
        {
            var (jobs, jobsError) = await Pipelines.JobHost.OpenAsync(config, _options.DataDirectory, nodeLedger, _inference, clusters, fence: null, logging, _time, cancellationToken).ConfigureAwait(false);
            _jobs = jobs ?? throw new Pipelines.DataFolderInUseException(jobsError!);
        }
        else
        {
            _sharedRuns = await StoreOpener.OpenRunsAsync(config.Store, StorePath, _time, fence: null, cancellationToken).ConfigureAwait(false);
            _proxyClient = new HttpClient { Timeout = TimeSpan.FromMinutes(1) };
            proxy = new Cluster.LeaderProxy(_cluster, () => InstanceId, config.Store.Lease, _proxyClient);
        }

        var jobsAccess = new Cluster.JobsAccess(() => Pipelines.JobHost.Environment(config, clusters.Nodes), proxy) { Local = _jobs?.Scheduler };
        var runs = _sharedRuns ?? _jobs!.Store;
        _registry = registry;

        string? generatedAdminHash = null;
        if (config.Auth.AdminKeyHashes.Count == 0)
        {
            var (tokenPath, tokenHash, created) = await AdminToken.EnsureAsync(_options.DataDirectory, _store, cancellationToken).ConfigureAwait(false);
            (AdminTokenPath, AdminTokenCreated, generatedAdminHash) = (tokenPath, created, tokenHash);
        }

        var keys = new ApiKeys(config.Auth, generatedAdminHash, internalKey, _options.InsecureNoAuth);
        var browsers = new BrowserRules(config.Server);
        var login = new Dashboard.DashboardLogin(keys, new Dashboard.DashboardSessions(_time), new Dashboard.LoginBackoff(_time), config.Server.MaxBodyBytes);
        var (sinks, attachJobs) = Observability.Telemetry.Wire(app.Services, config, _scheduler, nodeLedger, _history is null ? statistics : new RequestSinks(statistics, _history));
        if (_jobs is not null)
        {
            attachJobs(_jobs.Scheduler);
        }

        var accessLog = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(AccessLog.Category);
        var resultCache = new Caching.ResultCache();
        if (config.Metrics.Enabled)
        {
            Caching.ResultCacheMetrics.Register(app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>().Create(new System.Diagnostics.Metrics.MeterOptions(Observability.YardMetrics.MeterName)), resultCache);
        }

        var ensembles = new Ensembles.EnsembleRunner(registry, _scheduler, _time, app.Lifetime.ApplicationStopping);
        if (config.Metrics.Enabled)
        {
            Ensembles.EnsembleMetrics.Register(app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>().Create(new System.Diagnostics.Metrics.MeterOptions(Observability.YardMetrics.MeterName)), ensembles.Statistics);
        }

        var completions = new CompletionGateway(registry, _scheduler, sinks, config.Server, settings, _time, accessLog, resultCache, !keys.OpenV1, ensembles, app.Lifetime.ApplicationStopping);
        app.Use(async (http, next) =>
        {
            // Every answer carries X-Request-Id, refusals included, and every line logged for the request its scope.
            using var scope = accessLog.BeginScope(Runtime.Logging.LogScope.Request(RequestIds.Assign(http)));
            if (browsers.TryAnswerCors(http))
            {
                return;
            }

            var path = http.Request.Path;
            var admin = path.StartsWithSegments("/api") || Observability.Telemetry.IsGuarded(path, config);
            // The dashboard's session cookie counts as the admin key on /api (its CSRF defence: SameSite=Strict, and the browser rules above).
            var signedIn = path.StartsWithSegments("/api") && login.Authenticates(http.Request);
            if ((browsers.Check(http.Request) ?? ((admin || path.StartsWithSegments("/v1")) && !signedIn ? keys.Check(http.Request, admin) : null)) is { } denied)
            {
                await DenyAsync(http, admin, denied.Status, denied.Message).ConfigureAwait(false);
                return;
            }

            await next(http).ConfigureAwait(false);
        });
        app.MapPost("/v1/chat/completions", (HttpContext http) => completions.HandleAsync(http, chat: true));
        app.MapPost("/v1/completions", (HttpContext http) => completions.HandleAsync(http, chat: false));
        app.MapPost("/v1/embeddings", new EmbeddingGateway(completions, config.Server, _time).HandleAsync);
        var started = _time.GetUtcNow().ToUnixTimeSeconds(); // "created" of every entry: when this server started serving it
        app.MapGet("/v1/models", (HttpContext http) => WriteModelsAsync(http, registry, started));
        app.MapGet("/health", (HttpContext http) => WriteHealthAsync(http, _scheduler));
        new ManagementApi(registry, _scheduler, statistics, _history, _time, config.Server.MaxBodyBytes, json =>
        {
            Caching.CacheJson.Write(json, resultCache);
            Ensembles.EnsembleJson.Write(json, ensembles.Statistics);
        }).Map(app);
        var adaptations = new Adapt.AdaptationJournal();
        var adaptLog = logging.CreateLogger(Logging.ConsoleLogging.AdaptCategory);
        new Adapt.SchedulerApi(_scheduler, settings.Adapt, adaptations, _time, adaptLog, config.Server.MaxBodyBytes).Map(app);
        if (settings.Adapt is { } adapt && _history is not null && _historyStore is not null)
        {
            // The tasks and models as the registry holds them now (the API may have changed them), under the settings in force.
            _adapter = new Adapt.SchedulerAdapter(adapt, _scheduler, () => config with
            {
                Tasks = [.. registry.Current.Tasks.Values, .. registry.Current.Implicit.Values.Where(t => !registry.Current.Tasks.ContainsKey(t.Name))],
                Models = [.. registry.Current.Models.Values],
            }, _history, _historyStore, adaptations, _time, adaptLog);
        }
        new RequestsApi(_scheduler, _time).Map(app);
        new Pipelines.RunsApi(jobsAccess, runs, config.Server.MaxBodyBytes).Map(app);
        new Reports.ReportApi(_history, _historyStore, runs, _time).Map(app);
        new Cluster.ClusterApi(_cluster, () => InstanceId, () => Url?.GetLeftPart(UriPartial.Authority) ?? string.Empty, config.Store.Lease, _time).Map(app);
        new Dashboard.NodesApi(nodeLedger, _scheduler).Map(app);
        new Dashboard.DashboardAssets().Map(app);
        login.Map(app);
        Observability.Telemetry.Map(app, config);
        var noRoute = new NoRoute(app, "the OpenAI API is at /v1/chat/completions, /v1/completions, /v1/embeddings and /v1/models");
        app.MapFallback(noRoute.WriteAsync);

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _adapter?.Start();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Url = Advertised(new Uri(address));
        if (_cluster is null)
        {
            _jobs!.RecordUrl(Url);
            return Url;
        }

        _elector = new Runtime.Cluster.LeaderElector(
            _cluster,
            InstanceId,
            () => Url.GetLeftPart(UriPartial.Authority), // http://host:port, as GET /api/cluster shows it
            config.Store.Lease,
            async (fence, ct) =>
            {
                var (jobs, error) = await Pipelines.JobHost.OpenAsync(config, _options.DataDirectory, nodeLedger, _inference, clusters, fence, logging, _time, ct).ConfigureAwait(false);
                var host = jobs ?? throw new InvalidOperationException(error);
                attachJobs(host.Scheduler);
                _jobs = host;
                jobsAccess.Local = host.Scheduler;
            },
            async () =>
            {
                jobsAccess.Local = null;
                if (Interlocked.Exchange(ref _jobs, null) is { } host)
                {
                    await host.DisposeAsync().ConfigureAwait(false); // its steps keep running; the next leader re-attaches
                }
            },
            _time,
            log);
        // The first round before answering: a lone instance leads from its first request on.
        await _elector.TickAsync(cancellationToken).ConfigureAwait(false);
        _elector.Start();
        _refreshing = new CancellationTokenSource();
        _refresh = RefreshRegistryAsync(registry, config.Store.Lease / 3, _refreshing.Token);
        return Url;
    }

    /// <summary>
    /// Rereads the shared registry every <paramref name="every"/>: tasks, models and keys changed through another instance
    /// reach this one within that time.
    /// </summary>
    private async Task RefreshRegistryAsync(ServingRegistry registry, TimeSpan every, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, _time, cancellationToken).ConfigureAwait(false);
                await registry.RefreshAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                GatewayLog.RegistryRefreshFailed(_app!.Services.GetRequiredService<ILoggerFactory>().CreateLogger(Logging.ConsoleLogging.SchedulerCategory), e.Message);
            }
        }
    }

    /// <summary>The URL other instances reach this one at: the bound address, or this machine's name when bound to every interface.</summary>
    private static Uri Advertised(Uri bound) =>
        bound.Host is "0.0.0.0" or "[::]" ? new UriBuilder(bound) { Host = System.Net.Dns.GetHostName() }.Uri : bound;

    /// <summary>Completes when the host stops (SIGTERM, Ctrl-C).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app?.WaitForShutdownAsync(cancellationToken) ?? Task.CompletedTask;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        if (_stopScheduler is not null)
        {
            await _stopScheduler.Value.ConfigureAwait(false);
        }

        if (_refreshing is not null)
        {
            await _refreshing.CancelAsync().ConfigureAwait(false);
            await (_refresh ?? Task.CompletedTask).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _refreshing.Dispose();
        }

        if (_elector is not null)
        {
            await _elector.DisposeAsync().ConfigureAwait(false); // steps down (stopping the job scheduler) and resigns the lease
        }

        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }

        if (_jobs is not null)
        {
            await _jobs.DisposeAsync().ConfigureAwait(false);
        }

        if (_adapter is not null)
        {
            await _adapter.DisposeAsync().ConfigureAwait(false);
        }

        if (_history is not null)
        {
            await _history.DisposeAsync().ConfigureAwait(false); // writes what it gathered since the last flush
        }

        if (_historyStore is not null)
        {
            await _historyStore.DisposeAsync().ConfigureAwait(false);
        }

        if (_store is not null)
        {
            await _store.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var store in new IAsyncDisposable?[] { _sharedRuns, _cluster, _clusters })
        {
            if (store is not null)
            {
                await store.DisposeAsync().ConfigureAwait(false);
            }
        }

        _proxyClient?.Dispose();
        _launcher?.Dispose();
        _registry?.Dispose();
        _inference?.Dispose();
    }

    /// <summary>A refusal in the surface's own error shape: problem details on <c>/api</c>, OpenAI's error object elsewhere.</summary>
    private static Task DenyAsync(HttpContext http, bool admin, int status, string message)
    {
        if (admin)
        {
            return Problem.WriteAsync(http.Response, status, message);
        }

        var (type, code) = status switch
        {
            401 => ("authentication_error", "invalid_api_key"),
            403 => ("permission_error", "forbidden"),
            _ => ("invalid_request_error", "unsupported_media_type"),
        };
        return new OpenAiError(status, message, type, Code: code).WriteAsync(http.Response, http.RequestAborted);
    }

    private static Task WriteModelsAsync(HttpContext http, ServingRegistry registry, long created)
    {
        var current = registry.Current;
        return JsonResponse.WriteAsync(http, json =>
        {
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            foreach (var task in current.Tasks.Values.OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                Entry(json, task.Name, "task", created, j =>
                {
                    j.WriteString("priority", Core.PriorityClasses.Name(task.Priority));
                    j.WriteStartArray("models");
                    foreach (var m in task.Models)
                    {
                        j.WriteStringValue(m);
                    }

                    j.WriteEndArray();
                });
            }

            foreach (var model in current.Models.Values.OrderBy(m => m.Name, StringComparer.Ordinal))
            {
                Entry(json, model.Name, "model", created, j => j.WriteString("backend", model.Backend.ToString().ToLowerInvariant()));
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private static void Entry(Utf8JsonWriter json, string id, string kind, long created, Action<Utf8JsonWriter> meta)
    {
        json.WriteStartObject();
        json.WriteString("id", id);
        json.WriteString("object", "model");
        json.WriteNumber("created", created);
        json.WriteString("owned_by", "yardmaster");
        json.WriteStartObject("meta");
        json.WriteString("kind", kind);
        meta(json);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static Task WriteHealthAsync(HttpContext http, ServingScheduler scheduler)
    {
        var snapshot = scheduler.Snapshot();
        return JsonResponse.WriteAsync(http, json =>
        {
            json.WriteStartObject();
            json.WriteString("status", "ok");
            json.WriteNumber("models", snapshot.Models.Count);
            json.WriteNumber("replicas_ready", snapshot.Models.Sum(m => m.Replicas.Count(r => r.State == ReplicaState.Ready)));
            json.WriteNumber("queued", snapshot.Models.Sum(m => m.Queued));
            json.WriteNumber("in_flight", snapshot.Models.Sum(m => m.InFlight));
            json.WriteEndObject();
        });
    }
}
