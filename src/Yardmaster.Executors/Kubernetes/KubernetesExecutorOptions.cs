using System.Text.RegularExpressions;
using Yardmaster.Core.Configuration;

namespace Yardmaster.Executors.Kubernetes;

/// <summary>Settings of the <c>kubernetes</c> executor: <c>jobs.kubernetes</c> and the executor's own timings. Validated when the executor is built.</summary>
public sealed partial class KubernetesExecutorOptions
{
    private static readonly string[] PullPolicies = ["Always", "IfNotPresent", "Never"];
    private static readonly string[] TolerationFields = ["key", "operator", "value", "effect", "tolerationSeconds"];

    /// <summary><c>jobs.kubernetes</c>: namespace, kubeconfig, image, pull policy, service account, node selector, tolerations, TTL.</summary>
    public KubernetesSettings Settings { get; set; } = new();

    /// <summary>
    /// The pods' <c>terminationGracePeriodSeconds</c>: how long a container gets between SIGTERM and SIGKILL when the
    /// cluster stops it on its own (deadline, eviction, node drain). Whole seconds, rounded up. Default 30 s (Kubernetes' own).
    /// </summary>
    public TimeSpan StopGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Added to a step's <c>timeout</c> to make the Job's <c>activeDeadlineSeconds</c>: the scheduler enforces the timeout
    /// itself and then stops with a grace; the deadline is the cluster's safety net behind it. Default 60 s.
    /// </summary>
    public TimeSpan DeadlineMargin { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a watched Job is read again when its watch is quiet (and how long between retries after an API error). Default 10 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a handle asked for its pod's address reads the pod until the cluster has given it an IP. Default 1 s.</summary>
    public TimeSpan AddressPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long the API may fail without a break before a watched attempt is reported lost. Default 2 min.</summary>
    public TimeSpan LostAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long the log stream may keep going after the Job ended before it is cut. Default 10 s.</summary>
    public TimeSpan LogDrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a stop waits, past its grace, for the pod to be gone before it reports the attempt as lost. Default 30 s.</summary>
    public TimeSpan StopMargin { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Options from <c>jobs.kubernetes</c> with the default timings.</summary>
    public static KubernetesExecutorOptions From(KubernetesSettings settings) => new() { Settings = settings ?? throw new ArgumentNullException(nameof(settings)) };

    /// <summary>Every problem with these settings; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        var s = Settings;
        if (s is null)
        {
            return ["kubernetes: Settings is null"];
        }

        if (!DnsLabel().IsMatch(s.Namespace ?? ""))
        {
            errors.Add($"jobs.kubernetes.namespace '{s.Namespace}' is not a namespace name (lower-case letters, digits and '-', at most 63)");
        }

        if (s.Kubeconfig is { } path && !File.Exists(path))
        {
            errors.Add($"jobs.kubernetes.kubeconfig '{path}' does not exist");
        }

        if (string.IsNullOrWhiteSpace(s.Image))
        {
            errors.Add("jobs.kubernetes.image is empty");
        }

        if (s.ImagePullPolicy is { } policy && !PullPolicies.Contains(policy, StringComparer.Ordinal))
        {
            errors.Add($"jobs.kubernetes.image_pull_policy '{policy}' is not one of Always, IfNotPresent, Never");
        }

        foreach (var (key, value) in s.NodeSelector)
        {
            if (!LabelKey().IsMatch(key) || !KubernetesNames.IsLabelValue(value))
            {
                errors.Add($"jobs.kubernetes.node_selector '{key}: {value}' is not a label key and value");
            }
        }

        for (var i = 0; i < s.Tolerations.Count; i++)
        {
            foreach (var field in s.Tolerations[i].Keys.Where(k => !TolerationFields.Contains(k, StringComparer.Ordinal)))
            {
                errors.Add($"jobs.kubernetes.tolerations[{i}] has '{field}'; a toleration has key, operator, value, effect, tolerationSeconds");
            }

            if (s.Tolerations[i].TryGetValue("tolerationSeconds", out var seconds) && !long.TryParse(seconds, System.Globalization.CultureInfo.InvariantCulture, out _))
            {
                errors.Add($"jobs.kubernetes.tolerations[{i}].tolerationSeconds '{seconds}' is not a whole number");
            }
        }

        if (s.TtlAfterFinished < TimeSpan.Zero)
        {
            errors.Add("jobs.kubernetes.ttl_after_finished is negative");
        }

        if (StopGrace < TimeSpan.Zero || DeadlineMargin < TimeSpan.Zero || StopMargin < TimeSpan.Zero)
        {
            errors.Add("kubernetes: StopGrace, DeadlineMargin and StopMargin must not be negative");
        }

        if (PollInterval <= TimeSpan.Zero || AddressPollInterval <= TimeSpan.Zero || LostAfter <= TimeSpan.Zero || LogDrainTimeout <= TimeSpan.Zero)
        {
            errors.Add("kubernetes: PollInterval, AddressPollInterval, LostAfter and LogDrainTimeout must be positive");
        }

        return errors;
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex(@"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex LabelKey();
}
