using Yardmaster.Core.Configuration;
using Yardmaster.Core.Execution;
using Yardmaster.Executors.Kubernetes;

namespace Yardmaster.Executors.Tests.Kubernetes;

public sealed class KubernetesJobManifestTests
{
    private static readonly StepLaunch Shell = new()
    {
        AttemptId = "r42.prepare.2",
        RunId = "r42",
        StepId = "prepare",
        Attempt = 2,
        Command = "python prep.py --all",
        Environment = new Dictionary<string, string> { ["DATASET"] = "wiki" },
        WorkingDirectory = "/runs/r42",
        AttemptDirectory = "/runs/r42/.attempts/prepare.2",
        LogPath = "/runs/r42/prepare.log",
    };

    private static KubernetesExecutorOptions Options(KubernetesSettings? settings = null) => new() { Settings = settings ?? new KubernetesSettings { Namespace = "yard" } };

    [Fact]
    public void Build_ShellStep_RunsShMinusCInTheConfiguredImageWithItsEnvironment()
    {
        var job = KubernetesJobManifest.Build(Shell, Options(new KubernetesSettings { Namespace = "yard", Image = "python:3.12-slim", ImagePullPolicy = "IfNotPresent" }));

        var container = Assert.Single(job.Spec.Template.Spec.Containers);
        Assert.Equal("batch/v1", job.ApiVersion);
        Assert.Equal("Job", job.Kind);
        Assert.Equal("yard", job.Metadata.NamespaceProperty);
        Assert.Equal("python:3.12-slim", container.Image);
        Assert.Equal(["/bin/sh", "-c", "python prep.py --all"], container.Command);
        Assert.Null(container.Args);
        Assert.Equal("IfNotPresent", container.ImagePullPolicy);
        Assert.Equal(
            ["DATASET=wiki", "YARD_RUN_ID=r42", "YARD_STEP_ID=prepare", "YARD_ATTEMPT=2"],
            container.Env.Select(e => e.Name + "=" + e.Value));
    }

    [Fact]
    public void Build_ContainerStep_UsesItsImageAndItsCommandAsArgs()
    {
        var launch = Shell with { Command = null, Container = new ContainerSpec("ghcr.io/acme/eval:1.4", ["eval", "--suite", "full"]) };

        var container = Assert.Single(KubernetesJobManifest.Build(launch, Options()).Spec.Template.Spec.Containers);

        Assert.Equal("ghcr.io/acme/eval:1.4", container.Image);
        Assert.Null(container.Command);
        Assert.Equal(["eval", "--suite", "full"], container.Args);
    }

    [Fact]
    public void Build_ContainerWithEntrypoint_ItReplacesTheImagesEntrypointAsTheContainersCommand()
    {
        var launch = Shell with { Command = null, Container = new ContainerSpec("ghcr.io/acme/yard:1.0", null) { Entrypoint = ["yard", "model-server", "--port", "23456"] } };

        var container = Assert.Single(KubernetesJobManifest.Build(launch, Options()).Spec.Template.Spec.Containers);

        Assert.Equal("ghcr.io/acme/yard:1.0", container.Image);
        Assert.Equal(["yard", "model-server", "--port", "23456"], container.Command);
        Assert.Null(container.Args);
    }

    [Fact]
    public void Build_Resources_CpuRequestedNotCappedMemoryAndGpusAsLimitsToo()
    {
        var launch = Shell with { CpuMillis = 2500, MemoryBytes = 8L << 30, Gpus = [0, 1] };

        var resources = KubernetesJobManifest.Build(launch, Options()).Spec.Template.Spec.Containers[0].Resources;

        Assert.Equal("2500m", resources.Requests["cpu"].ToString());
        Assert.False(resources.Limits.ContainsKey("cpu"));
        Assert.Equal(8L << 30, (long)resources.Limits["memory"].ToDecimal());
        Assert.Equal("2", resources.Limits["nvidia.com/gpu"].ToString());
        Assert.All(resources.Limits, l => Assert.Equal(l.Value.ToDecimal(), resources.Requests[l.Key].ToDecimal()));
    }

    [Fact]
    public void Build_CpuLimit_IsTheContainersCpuLimitAboveItsRequest()
    {
        var launch = Shell with { CpuMillis = 500, CpuLimitMillis = 1500 };

        var resources = KubernetesJobManifest.Build(launch, Options()).Spec.Template.Spec.Containers[0].Resources;

        Assert.Equal(("500m", "1500m"), (resources.Requests["cpu"].ToString(), resources.Limits["cpu"].ToString()));
    }

    [Fact]
    public void Build_NoResources_LeavesRequirementsOut()
    {
        Assert.Null(KubernetesJobManifest.Build(Shell, Options()).Spec.Template.Spec.Containers[0].Resources);
    }

    [Fact]
    public void Build_Always_OnePodThatYardmasterRetriesNotTheCluster()
    {
        var job = KubernetesJobManifest.Build(Shell, Options(new KubernetesSettings { Namespace = "yard", TtlAfterFinished = TimeSpan.FromMinutes(10) }));

        Assert.Equal(0, job.Spec.BackoffLimit);
        Assert.Equal("Never", job.Spec.Template.Spec.RestartPolicy);
        Assert.Equal(600, job.Spec.TtlSecondsAfterFinished);
        Assert.Equal(30, job.Spec.Template.Spec.TerminationGracePeriodSeconds);
        Assert.Null(job.Spec.ActiveDeadlineSeconds);
    }

    [Fact]
    public void Build_TimeLimit_DeadlineIsTheTimeoutPlusTheMargin()
    {
        var options = Options();
        options.DeadlineMargin = TimeSpan.FromSeconds(45);

        var job = KubernetesJobManifest.Build(Shell with { TimeLimit = TimeSpan.FromMinutes(20) }, options);

        Assert.Equal(20 * 60 + 45, job.Spec.ActiveDeadlineSeconds);
    }

    [Fact]
    public void Build_Labels_RunStepAttemptAndAttemptIdOnJobAndPod()
    {
        var job = KubernetesJobManifest.Build(Shell, Options());

        var expected = new Dictionary<string, string>
        {
            ["yardmaster/run"] = "r42",
            ["yardmaster/step"] = "prepare",
            ["yardmaster/attempt"] = "2",
            ["yardmaster/attempt-id"] = "r42.prepare.2",
        };
        Assert.Equal(expected, job.Metadata.Labels);
        Assert.Equal(expected, job.Spec.Template.Metadata.Labels);
        Assert.Equal("r42.prepare.2", job.Metadata.Annotations["yardmaster/attempt-id"]);
        Assert.Equal(KubernetesNames.Job("r42.prepare.2"), job.Metadata.Name);
    }

    [Fact]
    public void Build_Settings_ServiceAccountNodeSelectorAndTolerations()
    {
        var settings = new KubernetesSettings
        {
            Namespace = "ml",
            ServiceAccount = "yard-runner",
            NodeSelector = new Dictionary<string, string> { ["accelerator"] = "a100" },
            Tolerations = [new Dictionary<string, string> { ["key"] = "nvidia.com/gpu", ["operator"] = "Exists", ["effect"] = "NoSchedule" }, new Dictionary<string, string> { ["key"] = "spot", ["operator"] = "Equal", ["value"] = "true", ["effect"] = "NoExecute", ["tolerationSeconds"] = "300" }],
        };

        var pod = KubernetesJobManifest.Build(Shell, Options(settings)).Spec.Template.Spec;

        Assert.Equal("yard-runner", pod.ServiceAccountName);
        Assert.Equal("a100", pod.NodeSelector["accelerator"]);
        Assert.Collection(
            pod.Tolerations,
            t => Assert.Equal(("nvidia.com/gpu", "Exists", null, "NoSchedule", null), (t.Key, t.OperatorProperty, t.Value, t.Effect, t.TolerationSeconds)),
            t => Assert.Equal(("spot", "Equal", "true", "NoExecute", (long?)300), (t.Key, t.OperatorProperty, t.Value, t.Effect, t.TolerationSeconds)));
    }

    [Fact]
    public void Build_NoSettings_LeavesServiceAccountSelectorTolerationsAndPullPolicyToTheCluster()
    {
        var pod = KubernetesJobManifest.Build(Shell, Options()).Spec.Template.Spec;

        Assert.Null(pod.ServiceAccountName);
        Assert.Null(pod.NodeSelector);
        Assert.Null(pod.Tolerations);
        Assert.Null(pod.Containers[0].ImagePullPolicy);
    }

    [Fact]
    public void Build_PlacedOnANode_RequiresThatNodeByNameThroughAffinity()
    {
        var pod = KubernetesJobManifest.Build(Shell with { Node = "gpu-node-3" }, Options()).Spec.Template.Spec;

        var term = Assert.Single(pod.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms);
        var field = Assert.Single(term.MatchFields);
        Assert.Equal(("metadata.name", "In", "gpu-node-3"), (field.Key, field.OperatorProperty, Assert.Single(field.Values)));
        Assert.Null(pod.NodeName);
    }

    [Fact]
    public void Build_LocalNode_NoAffinity()
    {
        Assert.Null(KubernetesJobManifest.Build(Shell, Options()).Spec.Template.Spec.Affinity);
    }
}
