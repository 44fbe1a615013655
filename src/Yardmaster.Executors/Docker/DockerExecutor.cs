using Yardmaster.Core.Execution;
using Yardmaster.Core.Pipelines;

namespace Yardmaster.Executors.Docker;

/// <summary>
/// Runs <c>container:</c> steps as Docker containers through the Engine API on a unix socket. Images are never
/// pulled. A container is named after its attempt (<c>yard-</c> + attempt id) and labelled <c>yard.run</c>,
/// <c>yard.step</c>, <c>yard.attempt</c>, so a restarted scheduler finds it by name. Thread-safe; dispose it after
/// the handles it gave out.
/// </summary>
public sealed class DockerExecutor : IStepExecutor, IDisposable
{
    private readonly DockerEngineClient _engine;
    private readonly DockerExecutorOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Builds it; throws <see cref="ArgumentException"/> listing every problem of <paramref name="options"/>.</summary>
    public DockerExecutor(DockerExecutorOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        if (options.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(options));
        }

        _options = options;
        _time = time;
        _engine = new DockerEngineClient(options.SocketPath, options.ApiVersion);
    }

    /// <inheritdoc/>
    public string Name => "docker";

    /// <summary>
    /// Checks the image is present, creates the attempt's container (or, when one of its name exists already,
    /// takes that one: the same attempt started before a crash), records its id in the attempt directory, starts
    /// it and watches it. An absent engine, a missing image or a container that cannot start are
    /// <see cref="StepStart.Failed"/>.
    /// </summary>
    public async Task<StepStart> StartAsync(StepLaunch launch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        if (launch.Container is not { } container)
        {
            return StepStart.Failed($"step '{launch.StepId}' has no container: the docker executor runs container: steps only");
        }

        if (!ImageReference.IsValid(container.Image))
        {
            // Pipelines are validated at submit; this guards any other caller, as the name goes into the engine's URL.
            return StepStart.Failed($"image '{container.Image}' is not an image reference; use [host[:port]/]name[:tag][@digest] in lower case");
        }

        var name = DockerContainerName.For(launch.AttemptId);
        try
        {
            if (!await _engine.ImageExistsAsync(container.Image, cancellationToken))
            {
                return StepStart.Failed($"image '{container.Image}' is not present locally; Yardmaster never pulls: "
                    + "put it on this machine first (docker pull, docker load or docker import)");
            }

            var body = DockerContainerRequest.Build(launch, container, _options.StopGrace);
            if (await _engine.CreateContainerAsync(name, body, cancellationToken) is not { } id)
            {
                // The name is taken: this attempt was created before a crash. Never run it twice.
                var existing = await _engine.InspectContainerAsync(name, cancellationToken);
                if (existing is null)
                {
                    return StepStart.Failed($"container {name} was reported to exist and then was gone; retry the attempt");
                }

                if (!existing.NeverStarted)
                {
                    return StepStart.Started(await WatchAsync(launch, existing, name, cancellationToken));
                }

                id = existing.Id;
            }

            await DockerAttemptFiles.WriteContainerAsync(launch.AttemptDirectory, name, id, cancellationToken);
            try
            {
                await _engine.StartContainerAsync(id, cancellationToken);
            }
            catch (DockerEngineException e)
            {
                await _engine.RemoveContainerAsync(id, CancellationToken.None);
                return StepStart.Failed($"container {name} of image '{container.Image}' could not start: {e.Message}");
            }

            return StepStart.Started(DockerStepProcess.Watch(_engine, launch, _options, _time, id, name, logsSince: null));
        }
        catch (HttpRequestException e)
        {
            return StepStart.Failed(Unreachable(e));
        }
        catch (DockerEngineException e)
        {
            return StepStart.Failed($"the docker engine refused container {name}: {e.Message}");
        }
    }

    /// <summary>
    /// Finds the attempt's container by name. Running: a handle that follows it; its log resumes from the log
    /// file's last write (output between the crash and now is appended; a line at the seam may repeat or, when the
    /// old scheduler lagged behind, be missed). Ended: the missed output is appended, the outcome read, the
    /// container removed, and the handle's <see cref="IStepProcess.Exited"/> is already complete. Gone but its
    /// outcome recorded: that outcome. Otherwise (never started, or created and never started) null.
    /// An unreachable engine throws <see cref="HttpRequestException"/>: the scheduler must not conclude the attempt is gone.
    /// </summary>
    public async Task<IStepProcess?> ReattachAsync(StepLaunch launch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var name = DockerContainerName.For(launch.AttemptId);
        var state = await _engine.InspectContainerAsync(name, cancellationToken);
        if (state is null)
        {
            return await DockerAttemptFiles.ReadExitAsync(launch.AttemptDirectory, cancellationToken) is { } recorded
                ? new DockerEndedProcess($"container {name} (removed)", recorded)
                : null;
        }

        if (state.NeverStarted)
        {
            await _engine.RemoveContainerAsync(state.Id, cancellationToken);
            return null;
        }

        return await WatchAsync(launch, state, name, cancellationToken);
    }

    /// <summary>Releases the engine connection; handles still watching then report a lost engine.</summary>
    public void Dispose() => _engine.Dispose();

    private async Task<IStepProcess> WatchAsync(StepLaunch launch, DockerContainerState state, string name, CancellationToken cancellationToken)
    {
        var since = File.Exists(launch.LogPath) ? new DateTimeOffset(File.GetLastWriteTimeUtc(launch.LogPath), TimeSpan.Zero) : (DateTimeOffset?)null;
        var process = DockerStepProcess.Watch(_engine, launch, _options, _time, state.Id, name, since);
        if (!state.Running)
        {
            // Ended while nobody watched: the wait answers at once; hand back a completed outcome.
            await process.Exited.WaitAsync(cancellationToken);
        }

        return process;
    }

    private string Unreachable(HttpRequestException e) =>
        $"the docker engine is not reachable at unix socket {_engine.SocketPath} ({e.Message}); "
        + "start dockerd (./test and scripts/docker-test-env.sh prepare one) or set the executor's socket path";
}
