using System.Text.Json.Nodes;
using k8s;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Execution;
using Yardmaster.Executors.Kubernetes;

namespace Yardmaster.Executors.Tests.Kubernetes;

/// <summary>
/// The Jobs the executor builds, as KubernetesClient writes them to the API, checked by the real kubectl's client-side
/// dry run against the Kubernetes OpenAPI schema (v1.14 definitions; see <see cref="KubectlFixture"/>): unknown fields,
/// wrong types and missing required fields are refused. It does not run the API server's own validation (names,
/// quantities, enum values, cross-field rules) nor admission.
/// </summary>
public sealed class KubernetesJobManifestKubectlTests(KubectlFixture kubectl) : IClassFixture<KubectlFixture>
{
    private static readonly StepLaunch Shell = new()
    {
        AttemptId = "r42.prepare.2",
        RunId = "r42",
        StepId = "prepare",
        Attempt = 2,
        Command = "python prep.py --all",
        WorkingDirectory = "/runs/r42",
        AttemptDirectory = "/runs/r42/.attempts/prepare.2",
        LogPath = "/runs/r42/prepare.log",
    };

    public static TheoryData<string> Launches => ["shell", "container", "replica", "everything"];

    private static StepLaunch LaunchFor(string kind) => kind switch
    {
        "shell" => Shell,
        "container" => Shell with { Command = null, Container = new ContainerSpec("ghcr.io/acme/eval:1.4", ["eval", "--suite", "full"]) },
        "replica" => Shell with { Command = null, Container = new ContainerSpec("ghcr.io/acme/yard:1.0", null) { Entrypoint = ["yard", "model-server", "--port", "23456"] } },
        _ => Shell with
        {
            CpuMillis = 2500,
            CpuLimitMillis = 3000,
            MemoryBytes = 8L << 30,
            Gpus = [0, 1],
            TimeLimit = TimeSpan.FromHours(2),
            Node = "gpu-node-3",
            Environment = new Dictionary<string, string> { ["HF_HOME"] = "/cache" },
        },
    };

    private static KubernetesExecutorOptions Options => new()
    {
        Settings = new KubernetesSettings
        {
            Namespace = "yard",
            ImagePullPolicy = "IfNotPresent",
            ServiceAccount = "yard-runner",
            NodeSelector = new Dictionary<string, string> { ["accelerator"] = "a100" },
            Tolerations = [new Dictionary<string, string> { ["key"] = "nvidia.com/gpu", ["operator"] = "Exists", ["effect"] = "NoSchedule", ["tolerationSeconds"] = "60" }],
        },
    };

    [Theory]
    [MemberData(nameof(Launches))]
    public async Task Build_Manifest_AcceptedByKubectlsSchemaValidation(string kind)
    {
        var job = KubernetesJobManifest.Build(LaunchFor(kind), Options);

        var (code, output, error) = await kubectl.DryRunAsync(KubernetesJson.Serialize(job));

        Assert.True(code == 0, $"kubectl refused the {kind} Job: {error}");
        var echoed = JsonNode.Parse(output)!;
        Assert.Equal(job.Metadata.Name, (string?)echoed["metadata"]!["name"]);
        Assert.Equal(0, (int?)echoed["spec"]!["backoffLimit"]);
        Assert.Equal(job.Spec.Template.Spec.Containers[0].Image, (string?)echoed["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        Assert.Contains(kubectl.Requests, r => r.StartsWith("GET /openapi/v2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Build_EverythingSet_KubectlKeepsEveryField()
    {
        var job = KubernetesJobManifest.Build(LaunchFor("everything"), Options);

        var (code, output, error) = await kubectl.DryRunAsync(KubernetesJson.Serialize(job));

        Assert.True(code == 0, error);
        var spec = JsonNode.Parse(output)!["spec"]!;
        var pod = spec["template"]!["spec"]!;
        var limits = pod["containers"]![0]!["resources"]!["limits"]!;
        Assert.Equal(7260, (long?)spec["activeDeadlineSeconds"]);
        Assert.Equal(3600, (int?)spec["ttlSecondsAfterFinished"]);
        Assert.Equal(("3", "8589934592", "2"), ((string?)limits["cpu"], (string?)limits["memory"], (string?)limits["nvidia.com/gpu"]));
        Assert.Equal("2500m", (string?)pod["containers"]![0]!["resources"]!["requests"]!["cpu"]);
        Assert.Equal("yard-runner", (string?)pod["serviceAccountName"]);
        Assert.Equal("a100", (string?)pod["nodeSelector"]!["accelerator"]);
        Assert.Equal("Exists", (string?)pod["tolerations"]![0]!["operator"]);
        Assert.Equal("gpu-node-3", (string?)pod["affinity"]!["nodeAffinity"]!["requiredDuringSchedulingIgnoredDuringExecution"]!["nodeSelectorTerms"]![0]!["matchFields"]![0]!["values"]![0]);
        Assert.Equal("2", (string?)pod["metadata"]?["labels"]?["yardmaster/attempt"] ?? (string?)spec["template"]!["metadata"]!["labels"]!["yardmaster/attempt"]);
    }

    [Theory]
    [InlineData("backoffLimit", "\"zero\"", "backoffLimit")]
    [InlineData("restartPolicyy", "\"Never\"", "restartPolicyy")]
    public async Task DryRun_ManifestThatBreaksTheSchema_IsRefused(string field, string value, string named)
    {
        // The control: the same validation refuses a wrong type and an unknown field, so the acceptance above means something.
        var job = JsonNode.Parse(KubernetesJson.Serialize(KubernetesJobManifest.Build(Shell, Options)))!;
        job["spec"]![field] = JsonNode.Parse(value);

        var (code, _, error) = await kubectl.DryRunAsync(job.ToJsonString());

        Assert.NotEqual(0, code);
        Assert.Contains(named, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DryRun_ContainerWithoutItsRequiredName_IsRefused()
    {
        var job = JsonNode.Parse(KubernetesJson.Serialize(KubernetesJobManifest.Build(Shell, Options)))!;
        job["spec"]!["template"]!["spec"]!["containers"]![0]!.AsObject().Remove("name");

        var (code, _, error) = await kubectl.DryRunAsync(job.ToJsonString());

        Assert.NotEqual(0, code);
        Assert.Contains("missing required field \"name\"", error, StringComparison.Ordinal);
    }
}
