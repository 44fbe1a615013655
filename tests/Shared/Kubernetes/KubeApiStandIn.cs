using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Yardmaster.Tests.Kubernetes;

/// <summary>
/// A stand-in for a Kubernetes API server on a loopback port (no real one can run here): the endpoints the executor
/// uses (create, get, list, watch and delete Jobs; list and delete pods; a pod's log; nodes) and what kubectl needs for
/// a client-side dry run (discovery and the OpenAPI v2 document), with bodies in the API's JSON as KubernetesClient's
/// models (generated from the OpenAPI definitions) write it. Every request must carry <see cref="Token"/> as a bearer
/// token, as a real server with token authentication wants.
/// </summary>
public sealed class KubeApiStandIn : IAsyncDisposable
{
    /// <summary>The bearer token the kubeconfigs it writes carry, and that it requires.</summary>
    public const string Token = "yard-test-token-5d1e";

    private readonly WebApplication _app;
    private System.Security.Cryptography.X509Certificates.X509Certificate2 _certificate = null!;

    private KubeApiStandIn(WebApplication app, byte[]? openApi)
    {
        _app = app;
        OpenApi = openApi;
    }

    /// <summary>The server's root URL (ending in a slash).</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>The state: Jobs, pods, logs, nodes and the script of each pod's life.</summary>
    public StandInCluster Cluster { get; } = new();

    /// <summary>Every request's method, path and query, in arrival order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>The <c>Authorization</c> header of every request (null when absent).</summary>
    public ConcurrentQueue<string?> Authorizations { get; } = new();

    /// <summary>When set, every API call is refused with 403, as for an account without the rights.</summary>
    public bool Forbidden { get; set; }

    private byte[]? OpenApi { get; }

    /// <summary>Starts it; <paramref name="openApi"/> is the protobuf OpenAPI v2 document served to kubectl (null: 404).</summary>
    public static async Task<KubeApiStandIn> StartAsync(byte[]? openApi = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var certificate = StandInCertificate.Create();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        var standIn = new KubeApiStandIn(app, openApi) { _certificate = certificate };
        standIn.Map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        standIn.Url = new Uri(address.TrimEnd('/') + "/");
        return standIn;
    }

    /// <summary>
    /// Writes a kubeconfig for this server (its own CA, the current context, namespace <c>yard</c>, a bearer token) and
    /// returns its path. HTTPS, as a real API server: kubectl sends no bearer token over plain HTTP.
    /// </summary>
    public string WriteKubeconfig(string directory, string? token = Token, Uri? server = null)
    {
        var ca = Convert.ToBase64String(Encoding.ASCII.GetBytes(_certificate.ExportCertificatePem()));
        var path = Path.Combine(directory, "kubeconfig");
        var user = token is null ? "{}" : "{ token: " + token + " }";
        var url = (server ?? Url).ToString().TrimEnd('/');
        File.WriteAllLines(path,
        [
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: stand-in",
            "  cluster: { server: \"" + url + "\", certificate-authority-data: " + ca + " }",
            "users:",
            "- name: runner",
            "  user: " + user,
            "contexts:",
            "- name: stand-in",
            "  context: { cluster: stand-in, user: runner, namespace: yard }",
            "current-context: stand-in",
        ]);
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Cluster.Dispose();
        _certificate.Dispose();
    }

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            Requests.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
            var authorization = context.Request.Headers.Authorization.FirstOrDefault();
            Authorizations.Enqueue(authorization);
            if (authorization != "Bearer " + Token)
            {
                await StatusAsync(context, 401, "Unauthorized", "Unauthorized");
            }
            else if (Forbidden)
            {
                await StatusAsync(context, 403, "Forbidden", $"jobs.batch is forbidden: User \"system:serviceaccount:yard:runner\" cannot {context.Request.Method.ToLowerInvariant()} resource \"jobs\" in API group \"batch\" in the namespace \"yard\"");
            }
            else
            {
                try
                {
                    await next(context);
                }
                catch (Exception e) when (e is not OperationCanceledException && !context.Response.HasStarted)
                {
                    // A defect of the stand-in: say it in the answer, where the failing test shows it.
                    await StatusAsync(context, 500, "InternalError", e.ToString());
                }
            }
        });

        app.UseRouting();
        const string jobs = "/apis/batch/v1/namespaces/{ns}/jobs";
        app.MapPost(jobs, CreateJobAsync);
        app.MapGet(jobs, ListJobsAsync);
        app.MapGet(jobs + "/{name}", (HttpContext c, string ns, string name) =>
            Cluster.Job(ns, name) is { } job ? JsonAsync(c, 200, job) : StatusAsync(c, 404, "NotFound", $"jobs.batch \"{name}\" not found"));
        app.MapDelete(jobs + "/{name}", DeleteJobAsync);
        app.MapGet("/api/v1/namespaces/{ns}/pods", (HttpContext c, string ns, string? labelSelector) =>
            JsonAsync(c, 200, new V1PodList { ApiVersion = "v1", Kind = "PodList", Metadata = new V1ListMeta { ResourceVersion = Cluster.Version.ToString(CultureInfo.InvariantCulture) }, Items = Cluster.Pods(ns, labelSelector) }));
        app.MapDelete("/api/v1/namespaces/{ns}/pods/{name}", DeletePodAsync);
        app.MapGet("/api/v1/namespaces/{ns}/pods/{name}/log", LogAsync);
        app.MapGet("/api/v1/nodes", (HttpContext c) =>
            JsonAsync(c, 200, new V1NodeList { ApiVersion = "v1", Kind = "NodeList", Metadata = new V1ListMeta { ResourceVersion = Cluster.Version.ToString(CultureInfo.InvariantCulture) }, Items = Cluster.Nodes }));
        KubectlDiscovery.Map(app, OpenApi);
    }

    private async Task CreateJobAsync(HttpContext context, string ns)
    {
        using var reader = new StreamReader(context.Request.Body);
        var job = KubernetesJson.Deserialize<V1Job>(await reader.ReadToEndAsync(context.RequestAborted));
        if (!Cluster.Namespaces.Contains(ns))
        {
            await StatusAsync(context, 404, "NotFound", $"namespaces \"{ns}\" not found");
        }
        else if (Cluster.Create(ns, job) is { } created)
        {
            await JsonAsync(context, 201, created);
        }
        else
        {
            await StatusAsync(context, 409, "AlreadyExists", $"jobs.batch \"{job.Metadata.Name}\" already exists");
        }
    }

    private async Task ListJobsAsync(HttpContext context, string ns, string? labelSelector, string? fieldSelector, bool? watch, string? resourceVersion, int? timeoutSeconds)
    {
        if (watch != true)
        {
            await JsonAsync(context, 200, new V1JobList
            {
                ApiVersion = "batch/v1",
                Kind = "JobList",
                Metadata = new V1ListMeta { ResourceVersion = Cluster.Version.ToString(CultureInfo.InvariantCulture) },
                Items = Cluster.Jobs(ns, labelSelector, fieldSelector),
            });
            return;
        }

        // A watch: one JSON event a line, from after resourceVersion (none: synthetic ADDED events for what exists), until timeoutSeconds.
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(TimeSpan.FromSeconds(timeoutSeconds ?? 1800));
        long sent;
        if (long.TryParse(resourceVersion, CultureInfo.InvariantCulture, out var from) && from > 0)
        {
            sent = from;
        }
        else
        {
            sent = Cluster.Version;
            foreach (var job in Cluster.Jobs(ns, labelSelector, fieldSelector))
            {
                await WriteEventAsync(context, "ADDED", job);
            }
        }

        try
        {
            while (true)
            {
                var changed = Cluster.Changed;
                foreach (var (version, type, job) in Cluster.EventsAfter(sent, ns, labelSelector, fieldSelector))
                {
                    await WriteEventAsync(context, type, job);
                    sent = version;
                }

                await changed.WaitAsync(timeout.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The watch's time is up, or the client left.
        }
    }

    private async Task DeleteJobAsync(HttpContext context, string ns, string name)
    {
        var options = await DeleteOptionsAsync(context);
        var job = Cluster.Job(ns, name);
        if (job is not null && Cluster.DeleteJob(ns, name, options?.GracePeriodSeconds, options?.PropagationPolicy))
        {
            await JsonAsync(context, 200, Cluster.Job(ns, name) ?? job);
        }
        else
        {
            await StatusAsync(context, 404, "NotFound", $"jobs.batch \"{name}\" not found");
        }
    }

    private async Task DeletePodAsync(HttpContext context, string ns, string name)
    {
        var options = await DeleteOptionsAsync(context);
        var pod = Cluster.Pod(ns, name)?.Pod;
        if (pod is not null && Cluster.DeletePod(ns, name, options?.GracePeriodSeconds))
        {
            await JsonAsync(context, 200, pod);
        }
        else
        {
            await StatusAsync(context, 404, "NotFound", $"pods \"{name}\" not found");
        }
    }

    /// <summary>A container's log as text; with <c>follow</c>, streamed until the container ends. 400 while it has not started, as the kubelet answers.</summary>
    private async Task LogAsync(HttpContext context, string ns, string name, string? container, bool? follow, int? sinceSeconds)
    {
        var pod = Cluster.Pod(ns, name);
        if (pod is null)
        {
            await StatusAsync(context, 404, "NotFound", $"pods \"{name}\" not found");
            return;
        }

        if (container != "step")
        {
            await StatusAsync(context, 400, "BadRequest", $"container {container} is not valid for pod {name}");
            return;
        }

        if (!pod.Started)
        {
            await StatusAsync(context, 400, "BadRequest", $"container \"step\" in pod \"{name}\" is waiting to start: ContainerCreating");
            return;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/plain";
        var since = sinceSeconds is { } s ? DateTimeOffset.UtcNow - TimeSpan.FromSeconds(s) : DateTimeOffset.MinValue;
        var next = 0;
        while (true)
        {
            var changed = pod.Changed;
            var (text, after, ended) = pod.Read(next, since);
            next = after;
            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            if (follow != true || ended)
            {
                return;
            }

            await changed.WaitAsync(context.RequestAborted);
        }
    }

    private static async Task<V1DeleteOptions?> DeleteOptionsAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var options = string.IsNullOrWhiteSpace(body) ? new V1DeleteOptions() : KubernetesJson.Deserialize<V1DeleteOptions>(body);

        // The API takes both; the query wins where both are given, as with kubectl's flags.
        if (long.TryParse(context.Request.Query["gracePeriodSeconds"], CultureInfo.InvariantCulture, out var grace))
        {
            options.GracePeriodSeconds = grace;
        }

        if (context.Request.Query["propagationPolicy"].FirstOrDefault() is { } policy)
        {
            options.PropagationPolicy = policy;
        }

        return options;
    }

    private static async Task WriteEventAsync(HttpContext context, string type, V1Job job)
    {
        var line = $"{{\"type\":\"{type}\",\"object\":{KubernetesJson.Serialize(job)}}}\n";
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(line), context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    private static Task JsonAsync(HttpContext context, int status, object body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(KubernetesJson.Serialize(body), context.RequestAborted);
    }

    /// <summary>A <c>meta/v1 Status</c> (written by hand: KubernetesClient reads these but does not write them).</summary>
    private static Task StatusAsync(HttpContext context, int code, string reason, string message)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        var status = new System.Text.Json.Nodes.JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new System.Text.Json.Nodes.JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
            ["code"] = code,
        };
        return context.Response.WriteAsync(status.ToJsonString(), context.RequestAborted);
    }
}
