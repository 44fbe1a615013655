namespace Yardmaster.Core.Configuration;

/// <summary><c>jobs.kubernetes:</c> how steps with <c>executor: kubernetes</c> become <c>batch/v1</c> Jobs. Present only when the section is.</summary>
public sealed record KubernetesSettings
{
    /// <summary><c>namespace</c>: where Jobs are created. Default <c>default</c>.</summary>
    public string Namespace { get; init; } = "default";

    /// <summary><c>kubeconfig</c>: the kubeconfig file; null for the in-cluster service account (then <c>~/.kube/config</c>).</summary>
    public string? Kubeconfig { get; init; }

    /// <summary><c>image</c>: the image a shell (<c>run:</c>) step runs in (<c>/bin/sh -c</c>); container steps name their own. Default <c>busybox:stable</c>.</summary>
    public string Image { get; init; } = "busybox:stable";

    /// <summary><c>image_pull_policy</c>: <c>Always</c>, <c>IfNotPresent</c> or <c>Never</c>; null for the cluster's default.</summary>
    public string? ImagePullPolicy { get; init; }

    /// <summary><c>service_account</c>: the pods' service account; null for the namespace's default.</summary>
    public string? ServiceAccount { get; init; }

    /// <summary><c>node_selector</c>: labels a pod's node must have.</summary>
    public IReadOnlyDictionary<string, string> NodeSelector { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary><c>tolerations</c>: each as Kubernetes writes it (<c>key</c>, <c>operator</c>, <c>value</c>, <c>effect</c>).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Tolerations { get; init; } = [];

    /// <summary><c>ttl_after_finished</c>: <c>ttlSecondsAfterFinished</c> of each Job. Default 1 h.</summary>
    public TimeSpan TtlAfterFinished { get; init; } = TimeSpan.FromHours(1);
}
