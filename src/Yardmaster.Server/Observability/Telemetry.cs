using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Statistics;
using Yardmaster.Runtime.Ledger;
using Yardmaster.Runtime.Pipelines;
using Yardmaster.Runtime.Serving;

namespace Yardmaster.Server.Observability;

/// <summary>
/// <c>metrics:</c> and <c>tracing:</c> on <c>yard serve</c>: OpenTelemetry's meter provider with its Prometheus
/// exporter at <c>GET /metrics</c> (the <c>Yardmaster</c> meter, ASP.NET Core's and Kestrel's meters, the runtime's and
/// the process's), and a tracer provider exporting the <c>Yardmaster</c> spans over OTLP/HTTP (protobuf).
/// With <c>metrics.enabled: false</c> there is neither a meter provider nor an endpoint.
/// </summary>
internal static class Telemetry
{
    /// <summary>The scrape path.</summary>
    public const string Path = "/metrics";

    /// <summary>Registers the providers the config asks for (before the app is built).</summary>
    public static void AddServices(IServiceCollection services, YardConfig config)
    {
        if (!config.Metrics.Enabled && config.Tracing.OtlpEndpoint is null)
        {
            return;
        }

        var otel = services.AddOpenTelemetry().ConfigureResource(r => r.AddService(config.Tracing.ServiceName));
        if (config.Metrics.Enabled)
        {
            otel.WithMetrics(m => m
                .AddMeter(YardMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
                .AddRuntimeInstrumentation()
                .AddProcessInstrumentation()
                .AddView("dotnet.assembly.count", "dotnet.assemblies") // Prometheus keeps "_count" for histograms: promtool's lint refuses it on a gauge
                .AddView("dotnet.process.cpu.count", "dotnet.process.cpus")
                .AddView("dotnet.timer.count", "dotnet.timers")
                .AddView("process.thread.count", "process.threads")
                .AddView("process.unix.file_descriptor.count", "process.unix.file_descriptors")
                .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0)); // each scrape reads the live state
            services.ConfigureOpenTelemetryMeterProvider((provider, m) => m.AddView(OwnMetersOnly(provider.GetRequiredService<IMeterFactory>())));
        }

        if (config.Tracing.OtlpEndpoint is { } endpoint)
        {
            otel.WithTracing(t => t
                .AddSource(YardTracing.Name)
                .AddOtlpExporter(o =>
                {
                    o.Protocol = OtlpExportProtocol.HttpProtobuf;
                    o.Endpoint = TracesUrl(endpoint);
                }));
        }
    }

    /// <summary>
    /// Creates the <c>Yardmaster</c> instruments over the scheduler, the ledger and the job scheduler, and subscribes
    /// the step spans. Returns the sink the gateway reports requests to (<paramref name="statistics"/>, and the
    /// metrics when enabled) and what to call with each job scheduler this instance runs (one, or one per term as leader).
    /// </summary>
    public static (IRequestSink Sink, Action<JobScheduler> AttachJobs) Wire(IServiceProvider services, YardConfig config, ServingScheduler scheduler, ResourceLedger ledger, IRequestSink statistics)
    {
        if (!config.Metrics.Enabled)
        {
            return (statistics, jobs => jobs.AttemptEnded += YardTracing.RecordAttempt);
        }

        var meter = services.GetRequiredService<IMeterFactory>().Create(YardMetrics.MeterName);
        ServingMetrics.Register(meter, scheduler);
        LedgerMetrics.Register(meter, ledger);
        var jobMetrics = JobMetrics.Register(meter);
        return (new RequestSinks(statistics, new YardMetrics(meter)), jobs =>
        {
            jobs.AttemptEnded += YardTracing.RecordAttempt;
            jobMetrics.Attach(jobs);
        });
    }

    /// <summary>Maps <c>GET /metrics</c> when metrics are enabled (the auth rule is the gateway's middleware: see <see cref="IsGuarded"/>).</summary>
    public static void Map(WebApplication app, YardConfig config)
    {
        if (config.Metrics.Enabled)
        {
            app.MapPrometheusScrapingEndpoint(Path);
        }
    }

    /// <summary>
    /// A view that drops the instruments of meters made by another app's <see cref="IMeterFactory"/> (the meters of
    /// another gateway in the same process, as in tests): listening is by meter name, so each app keeps to its own.
    /// </summary>
    private static Func<Instrument, MetricStreamConfiguration?> OwnMetersOnly(IMeterFactory own) =>
        instrument => instrument.Meter.Scope is IMeterFactory scope && !ReferenceEquals(scope, own) ? MetricStreamConfiguration.Drop : null;

    /// <summary>True when <paramref name="path"/> is the scrape path and needs the admin key (<c>metrics.public</c> is false).</summary>
    public static bool IsGuarded(PathString path, YardConfig config) =>
        config.Metrics.Enabled && !config.Metrics.Public && path.StartsWithSegments(Path);

    /// <summary>The OTLP/HTTP traces URL: the endpoint's <c>/v1/traces</c>, unless it already names it.</summary>
    internal static Uri TracesUrl(Uri endpoint)
    {
        var text = endpoint.ToString().TrimEnd('/');
        return new Uri(text.EndsWith("/v1/traces", StringComparison.Ordinal) ? text : text + "/v1/traces");
    }
}
