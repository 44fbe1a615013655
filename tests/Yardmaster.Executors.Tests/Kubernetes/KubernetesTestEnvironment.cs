namespace Yardmaster.Executors.Tests.Kubernetes;

/// <summary>
/// What scripts/kubernetes-test-env.sh (run by ./test) prepared: kubectl and a real Kubernetes OpenAPI v2 document.
/// Fails, never skips, when it has not run.
/// </summary>
public sealed record KubernetesTestEnvironment(string Kubectl, string OpenApiV2)
{
    public const string DefaultFile = "/tmp/yardmaster-kubernetes-test.env";

    public static KubernetesTestEnvironment Load()
    {
        var file = Environment.GetEnvironmentVariable("YARD_KUBERNETES_TEST_ENV") ?? DefaultFile;
        const string Prepare = "run ./test at the repository root (scripts/kubernetes-test-env.sh installs kubectl and the OpenAPI document and writes it)";
        if (!File.Exists(file))
        {
            throw new InvalidOperationException($"{file} is missing; {Prepare}");
        }

        var values = File.ReadAllLines(file).Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        var kubectl = values.GetValueOrDefault("KUBECTL");
        var openApi = values.GetValueOrDefault("KUBE_OPENAPI_V2");
        if (kubectl is null || !File.Exists(kubectl) || openApi is null || !File.Exists(openApi))
        {
            throw new InvalidOperationException($"{file} names no kubectl or OpenAPI document that exists (KUBECTL={kubectl}, KUBE_OPENAPI_V2={openApi}); {Prepare}");
        }

        return new KubernetesTestEnvironment(kubectl, openApi);
    }
}
