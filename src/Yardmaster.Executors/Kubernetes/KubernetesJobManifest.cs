using System.Globalization;
using k8s.Models;
using Yardmaster.Core.Execution;
using Yardmaster.Core.Pipelines;

namespace Yardmaster.Executors.Kubernetes;

/// <summary>The <c>batch/v1</c> Job of one attempt: pure, from the launch and the options alone.</summary>
internal static class KubernetesJobManifest
{
    /// <summary>The GPU resource of NVIDIA's device plugin.</summary>
    public const string GpuResource = "nvidia.com/gpu";

    /// <summary>
    /// One pod that runs once (<c>backoffLimit: 0</c>, <c>restartPolicy: Never</c>: Yardmaster retries, not the
    /// cluster): a <c>run:</c> step as <c>/bin/sh -c</c> in the configured image, a <c>container:</c> step in its own
    /// image with its command as the container's <c>args</c> (the image's entrypoint kept, as the docker executor
    /// does, unless <see cref="ContainerSpec.Entrypoint"/> replaces it as the container's <c>command</c>); CPU as a request,
    /// capped only by <see cref="StepLaunch.CpuLimitMillis"/> (so the pod is Burstable QoS unless it asks a cap), memory and
    /// GPUs as requests and limits; the step's timeout plus a margin as <c>activeDeadlineSeconds</c>; the
    /// ledger's node as a required node affinity on <c>metadata.name</c>.
    /// </summary>
    public static V1Job Build(StepLaunch launch, KubernetesExecutorOptions options)
    {
        ArgumentNullException.ThrowIfNull(launch);
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Settings;
        var labels = Labels(launch);
        var container = new V1Container
        {
            Name = KubernetesNames.Container,
            Image = launch.Container?.Image ?? settings.Image,
            Command = launch.Container is null ? ["/bin/sh", "-c", launch.Command ?? ""] : launch.Container.Entrypoint is { } entrypoint ? [.. entrypoint] : null,
            Args = launch.Container?.Command is { } args ? [.. args] : null,
            Env = Environment(launch),
            ImagePullPolicy = settings.ImagePullPolicy,
            Resources = Resources(launch),
        };
        var pod = new V1PodSpec
        {
            Containers = [container],
            RestartPolicy = "Never",
            ServiceAccountName = settings.ServiceAccount,
            NodeSelector = settings.NodeSelector.Count > 0 ? new Dictionary<string, string>(settings.NodeSelector, StringComparer.Ordinal) : null,
            Tolerations = settings.Tolerations.Count > 0 ? [.. settings.Tolerations.Select(Toleration)] : null,
            TerminationGracePeriodSeconds = (long)Math.Ceiling(options.StopGrace.TotalSeconds),
            Affinity = NodeAffinity(launch.Node),
        };
        return new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = new V1ObjectMeta
            {
                Name = KubernetesNames.Job(launch.AttemptId),
                NamespaceProperty = settings.Namespace,
                Labels = labels,
                Annotations = new Dictionary<string, string>(StringComparer.Ordinal) { [KubernetesNames.AttemptIdAnnotation] = launch.AttemptId },
            },
            Spec = new V1JobSpec
            {
                BackoffLimit = 0,
                ActiveDeadlineSeconds = launch.TimeLimit is { } limit ? (long)Math.Ceiling((limit + options.DeadlineMargin).TotalSeconds) : null,
                TtlSecondsAfterFinished = (int)Math.Ceiling(settings.TtlAfterFinished.TotalSeconds),
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string>(labels, StringComparer.Ordinal) },
                    Spec = pod,
                },
            },
        };
    }

    /// <summary>The labels of the Job and its pod: run, step, attempt number and attempt id.</summary>
    public static Dictionary<string, string> Labels(StepLaunch launch) => new(StringComparer.Ordinal)
    {
        [KubernetesNames.RunLabel] = KubernetesNames.LabelValue(launch.RunId),
        [KubernetesNames.StepLabel] = KubernetesNames.LabelValue(launch.StepId),
        [KubernetesNames.AttemptLabel] = launch.Attempt.ToString(CultureInfo.InvariantCulture),
        [KubernetesNames.AttemptIdLabel] = KubernetesNames.LabelValue(launch.AttemptId),
    };

    private static List<V1EnvVar> Environment(StepLaunch launch)
    {
        List<V1EnvVar> env = [.. launch.Environment.Select(e => Variable(e.Key, e.Value))];
        env.Add(Variable("YARD_RUN_ID", launch.RunId));
        env.Add(Variable("YARD_STEP_ID", launch.StepId));
        env.Add(Variable("YARD_ATTEMPT", launch.Attempt.ToString(CultureInfo.InvariantCulture)));
        return env;
    }

    private static V1EnvVar Variable(string name, string value) => new() { Name = name, Value = value };

    private static V1ResourceRequirements? Resources(StepLaunch launch)
    {
        var amounts = new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal);
        if (launch.CpuMillis > 0)
        {
            amounts["cpu"] = new ResourceQuantity(launch.CpuMillis.ToString(CultureInfo.InvariantCulture) + "m");
        }

        if (launch.MemoryBytes > 0)
        {
            amounts["memory"] = new ResourceQuantity(launch.MemoryBytes.ToString(CultureInfo.InvariantCulture));
        }

        if (launch.Gpus.Count > 0)
        {
            // The device plugin picks the devices; the ledger's indexes only count them here.
            amounts[GpuResource] = new ResourceQuantity(launch.Gpus.Count.ToString(CultureInfo.InvariantCulture));
        }

        // CPU is a request (the pod may use idle cores) unless resources.cpu_limit caps it; memory and devices are limits as well.
        var limits = new Dictionary<string, ResourceQuantity>(amounts, StringComparer.Ordinal);
        limits.Remove("cpu");
        if (launch.CpuLimitMillis > 0)
        {
            limits["cpu"] = new ResourceQuantity(launch.CpuLimitMillis.ToString(CultureInfo.InvariantCulture) + "m");
            // Without a request Kubernetes would take the limit as the request, which the ledger does not hold.
            amounts["cpu"] = new ResourceQuantity(launch.CpuMillis.ToString(CultureInfo.InvariantCulture) + "m");
        }

        return amounts.Count == 0 && limits.Count == 0 ? null : new V1ResourceRequirements
        {
            Requests = amounts,
            Limits = limits,
        };
    }

    private static V1Toleration Toleration(IReadOnlyDictionary<string, string> fields) => new()
    {
        Key = fields.GetValueOrDefault("key"),
        OperatorProperty = fields.GetValueOrDefault("operator"),
        Value = fields.GetValueOrDefault("value"),
        Effect = fields.GetValueOrDefault("effect"),
        TolerationSeconds = fields.TryGetValue("tolerationSeconds", out var s) ? long.Parse(s, CultureInfo.InvariantCulture) : null,
    };

    /// <summary>
    /// The ledger placed the attempt on <paramref name="node"/>: a required affinity on the node's name (as the
    /// DaemonSet controller does) rather than <c>nodeName</c>, so the cluster's scheduler still checks taints,
    /// free resources and readiness instead of the kubelet refusing the pod.
    /// </summary>
    private static V1Affinity? NodeAffinity(string node) =>
        string.IsNullOrEmpty(node) || node == Engines.Local
            ? null
            : new V1Affinity
            {
                NodeAffinity = new V1NodeAffinity
                {
                    RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
                    {
                        NodeSelectorTerms =
                        [
                            new V1NodeSelectorTerm { MatchFields = [new V1NodeSelectorRequirement { Key = "metadata.name", OperatorProperty = "In", Values = [node] }] },
                        ],
                    },
                },
            };
}
