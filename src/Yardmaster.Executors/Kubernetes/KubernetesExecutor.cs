using System.Net;
using k8s;
using Yardmaster.Core.Execution;

namespace Yardmaster.Executors.Kubernetes;

/// <summary>
/// Runs <c>run:</c> and <c>container:</c> steps as <c>batch/v1</c> Jobs through the Kubernetes API, one Job per attempt,
/// named after the attempt (<c>yard-</c> + attempt id) and labelled with run, step, attempt and attempt id, so a
/// restarted scheduler finds it by label. Thread-safe; dispose it after the handles it gave out.
/// </summary>
public sealed class KubernetesExecutor : IStepExecutor, IDisposable
{
    private readonly KubernetesConnection _api;
    private readonly KubernetesExecutorOptions _options;
    private readonly TimeProvider _time;

    /// <summary>
    /// Builds it on the API server of <see cref="KubernetesExecutorOptions.Settings"/>' kubeconfig (or the in-cluster
    /// account); throws <see cref="ArgumentException"/> listing every problem of <paramref name="options"/>. Nothing is
    /// sent to the server until the first call.
    /// </summary>
    public KubernetesExecutor(KubernetesExecutorOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        if (options.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(options));
        }

        _options = options;
        _time = time;
        _api = KubernetesConnection.Open(options.Settings);
    }

    /// <inheritdoc/>
    public string Name => Core.Pipelines.Engines.Kubernetes;

    /// <summary>
    /// Creates the attempt's Job (or, when one of its name exists already, takes that one: the same attempt created
    /// before a crash, never run twice) and watches it. An unreachable API, a refusal (401, 403, a missing namespace, an
    /// invalid Job) and an <c>inference:</c> step are <see cref="StepStart.Failed"/>.
    /// </summary>
    public async Task<StepStart> StartAsync(StepLaunch launch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        if (launch.Command is null && launch.Container is null)
        {
            return StepStart.Failed($"step '{launch.StepId}' has neither run: nor container:; the kubernetes executor runs only those");
        }

        var job = KubernetesJobManifest.Build(launch, _options);
        var name = job.Metadata.Name;
        try
        {
            try
            {
                await _api.Client.BatchV1.CreateNamespacedJobAsync(job, _options.Settings.Namespace, cancellationToken: cancellationToken);
            }
            catch (Exception e) when (KubernetesConnection.Is(e, HttpStatusCode.Conflict))
            {
                // Created before a crash: watch that one rather than run the attempt twice.
            }

            return StepStart.Started(KubernetesStepProcess.Watch(_api, launch, _options, _time, name, logsSince: null));
        }
        catch (Exception e) when (KubernetesConnection.IsApiFailure(e))
        {
            return StepStart.Failed(_api.Describe(e, $"create Job {name} in namespace {_options.Settings.Namespace}"));
        }
    }

    /// <summary>
    /// Finds the attempt's Job by its attempt-id label. Found: a handle that follows it (already ended: its outcome
    /// is read at once); its log resumes from the log file's last write (a line at the seam may repeat or be missed).
    /// Gone but its outcome recorded: that outcome. Otherwise null. An unreachable or refusing API throws
    /// <see cref="HttpRequestException"/> or <see cref="k8s.Autorest.HttpOperationException"/>: the scheduler must not
    /// conclude the attempt is gone.
    /// </summary>
    public async Task<IStepProcess?> ReattachAsync(StepLaunch launch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var selector = $"{KubernetesNames.AttemptIdLabel}={KubernetesNames.LabelValue(launch.AttemptId)}";
        var jobs = await _api.Client.BatchV1.ListNamespacedJobAsync(_options.Settings.Namespace, labelSelector: selector, cancellationToken: cancellationToken);
        var job = jobs.Items.FirstOrDefault(j =>
            j.Metadata.Annotations?.TryGetValue(KubernetesNames.AttemptIdAnnotation, out var id) == true && id == launch.AttemptId);
        if (job is null)
        {
            return await KubernetesAttemptFiles.ReadExitAsync(launch.AttemptDirectory, cancellationToken) is { } recorded
                ? new KubernetesEndedProcess($"job {_options.Settings.Namespace}/{KubernetesNames.Job(launch.AttemptId)} (removed)", recorded)
                : null;
        }

        var since = File.Exists(launch.LogPath) ? new DateTimeOffset(File.GetLastWriteTimeUtc(launch.LogPath), TimeSpan.Zero) : (DateTimeOffset?)null;
        return KubernetesStepProcess.Watch(_api, launch, _options, _time, job.Metadata.Name, since);
    }

    /// <summary>Releases the API client; handles still watching then report a lost API.</summary>
    public void Dispose() => _api.Dispose();
}
