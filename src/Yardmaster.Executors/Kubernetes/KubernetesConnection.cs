using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Exceptions;
using Yardmaster.Core.Configuration;

namespace Yardmaster.Executors.Kubernetes;

/// <summary>A client of the cluster's API server, and how to say what went wrong with a call to it.</summary>
internal sealed class KubernetesConnection : IDisposable
{
    private KubernetesConnection(IKubernetes client, string server)
    {
        Client = client;
        Server = server;
    }

    /// <summary>The API client. Thread-safe.</summary>
    public IKubernetes Client { get; }

    /// <summary>The API server's address, for messages.</summary>
    public string Server { get; }

    /// <summary>
    /// From <c>jobs.kubernetes.kubeconfig</c> (its current context) or, without one, the pod's service account when
    /// running in a cluster, else <c>$KUBECONFIG</c> or <c>~/.kube/config</c>. Throws <see cref="ArgumentException"/>
    /// when the configuration cannot be read, or would send credentials over plain http.
    /// </summary>
    public static KubernetesConnection Open(KubernetesSettings settings)
    {
        KubernetesClientConfiguration config;
        try
        {
            config = settings.Kubeconfig is { } path
                ? KubernetesClientConfiguration.BuildConfigFromConfigFile(path)
                : KubernetesClientConfiguration.IsInCluster()
                    ? KubernetesClientConfiguration.InClusterConfig()
                    : KubernetesClientConfiguration.BuildDefaultConfig();
        }
        catch (Exception e) when (e is KubeConfigException or IOException or UnauthorizedAccessException or FormatException or YamlDotNet.Core.YamlException)
        {
            throw new ArgumentException($"jobs.kubernetes: the kubeconfig {settings.Kubeconfig ?? "(default)"} cannot be used: {e.Message}", nameof(settings), e);
        }

        var credentials = config.AccessToken is not null || config.TokenProvider is not null || config.Username is not null
            || config.ClientCertificateData is not null || config.ClientCertificateFilePath is not null;
        if (credentials && Uri.TryCreate(config.Host, UriKind.Absolute, out var host) && host.Scheme == Uri.UriSchemeHttp)
        {
            // KubernetesClient would send them in clear; kubectl does not send them at all.
            throw new ArgumentException($"jobs.kubernetes: the kubeconfig {settings.Kubeconfig ?? "(default)"} sends credentials to {config.Host} over plain http; use the server's https address", nameof(settings));
        }

        return new KubernetesConnection(new k8s.Kubernetes(config), config.Host);
    }

    /// <summary>True when <paramref name="e"/> is the API answering <paramref name="status"/>.</summary>
    public static bool Is(Exception e, HttpStatusCode status) => e is HttpOperationException { Response.StatusCode: var code } && code == status;

    /// <summary>True for the failures of talking to the API (unreachable, refused, broken stream), as opposed to defects.</summary>
    public static bool IsApiFailure(Exception e) => e is HttpOperationException or HttpRequestException or IOException or KubernetesException or JsonException;

    /// <summary>
    /// What failed, for a user: an unreachable server, or the status and message of the API's answer, with what to do
    /// for the usual ones (401, 403, 404 namespace).
    /// </summary>
    public string Describe(Exception e, string action)
    {
        if (e is not HttpOperationException http)
        {
            return $"the Kubernetes API at {Server} is not reachable to {action} ({e.Message}); check jobs.kubernetes.kubeconfig and that the cluster is up";
        }

        var code = (int)http.Response.StatusCode;
        var message = StatusMessage(http.Response.Content) ?? http.Response.ReasonPhrase ?? "";
        var hint = http.Response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => "; the credentials of the kubeconfig were not accepted",
            HttpStatusCode.Forbidden => "; the account needs create, get, list, watch and delete on jobs, and get, list and delete on pods and pods/log in the namespace",
            _ => "",
        };
        return $"the Kubernetes API at {Server} refused to {action}: {code} {http.Response.StatusCode}: {message}{hint}";
    }

    /// <inheritdoc/>
    public void Dispose() => Client.Dispose();

    private static string? StatusMessage(string? body)
    {
        try
        {
            if (body is null)
            {
                return null;
            }

            using var status = JsonDocument.Parse(body);
            return status.RootElement.TryGetProperty("message", out var m) ? m.GetString() : body;
        }
        catch (JsonException)
        {
            return body;
        }
    }
}
