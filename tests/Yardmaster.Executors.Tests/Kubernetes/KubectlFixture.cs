using System.Diagnostics;
using System.Text.Json;
using Yardmaster.Tests.Kubernetes;

namespace Yardmaster.Executors.Tests.Kubernetes;

/// <summary>
/// The real kubectl against the stand-in API server, which serves it discovery and the real Kubernetes v1.14 OpenAPI
/// v2 document (Debian's, as protobuf), so <c>kubectl create --dry-run=client</c> validates a manifest against the
/// Kubernetes schema on the client without a cluster. Fails (never skips) when scripts/kubernetes-test-env.sh has not run.
/// </summary>
public sealed class KubectlFixture : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private KubernetesTestEnvironment? _environment;
    private KubeApiStandIn? _api;
    private string? _kubeconfig;

    public async ValueTask InitializeAsync()
    {
        _environment = KubernetesTestEnvironment.Load();
        using var swagger = JsonDocument.Parse(await File.ReadAllBytesAsync(_environment.OpenApiV2));
        _api = await KubeApiStandIn.StartAsync(OpenApiV2Protobuf.Encode(swagger.RootElement));
        _kubeconfig = _api.WriteKubeconfig(_dir.Path);
    }

    /// <summary>Runs <c>kubectl create --dry-run=client -f FILE -o json</c> on <paramref name="manifest"/> (JSON or YAML): exit code, stdout, stderr.</summary>
    public async Task<(int ExitCode, string Output, string Error)> DryRunAsync(string manifest)
    {
        var file = Path.Combine(_dir.Path, Guid.NewGuid().ToString("N") + ".yaml");
        await File.WriteAllTextAsync(file, manifest);
        var start = new ProcessStartInfo(_environment!.Kubectl) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "--kubeconfig", _kubeconfig!, "--cache-dir", Path.Combine(_dir.Path, "cache"), "create", "--dry-run=client", "--validate=true", "-f", file, "-o", "json" })
        {
            start.ArgumentList.Add(arg);
        }

        using var kubectl = System.Diagnostics.Process.Start(start)!;
        var output = kubectl.StandardOutput.ReadToEndAsync();
        var error = kubectl.StandardError.ReadToEndAsync();
        await kubectl.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (kubectl.ExitCode, await output, await error);
    }

    /// <summary>What kubectl asked the stand-in.</summary>
    public IEnumerable<string> Requests => _api!.Requests;

    public async ValueTask DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        _dir.Dispose();
    }
}
