using System.Collections.Concurrent;
using Yardmaster.Core.Execution;
using Yardmaster.Executors.Docker;

namespace Yardmaster.Executors.Tests.Docker;

/// <summary>
/// The real engine on <c>/var/run/docker.sock</c> with the <c>yard/busybox:local</c> image. Fails (never skips)
/// when either is absent; removes every container its launches named when the tests are done.
/// </summary>
public sealed class DockerEngineFixture : IAsyncLifetime
{
    public const string Image = "yard/busybox:local";

    private const string Prepare = "run ./test at the repository root (it starts dockerd and builds the image through scripts/docker-test-env.sh)";

    private readonly ConcurrentBag<string> _containers = [];
    private readonly string _runTag = Guid.NewGuid().ToString("N")[..8];

    public DockerEngineFixture()
    {
        Executor = new DockerExecutor(new DockerExecutorOptions(), TimeProvider.System);
    }

    /// <summary>An executor on the default socket.</summary>
    public DockerExecutor Executor { get; }

    internal DockerEngineClient Engine { get; } = new(new DockerExecutorOptions().SocketPath, new DockerExecutorOptions().ApiVersion);

    /// <summary>
    /// A launch of <paramref name="command"/> in <see cref="Image"/> under <paramref name="dir"/> (run directory
    /// <c>run/</c>, attempt directory <c>attempt/</c>, log <c>step.log</c>); the attempt id gets a per-test-run
    /// suffix so runs never meet each other's containers, and its container is removed at the end.
    /// </summary>
    public StepLaunch Launch(TempDirectory dir, string attemptId, params string[] command)
    {
        var id = $"{attemptId}.{_runTag}";
        _containers.Add(DockerContainerName.For(id));
        Directory.CreateDirectory(dir.File("run"));
        Directory.CreateDirectory(dir.File("attempt"));
        return new StepLaunch
        {
            AttemptId = id,
            RunId = "r-" + _runTag,
            StepId = attemptId,
            Attempt = 1,
            Container = new ContainerSpec(Image, command),
            WorkingDirectory = dir.File("run"),
            AttemptDirectory = dir.File("attempt"),
            LogPath = dir.File("step.log"),
        };
    }

    /// <summary>The attempt's container as the engine sees it; null when there is none.</summary>
    internal Task<DockerContainerState?> InspectAsync(StepLaunch launch) =>
        Engine.InspectContainerAsync(DockerContainerName.For(launch.AttemptId), TestContext.Current.CancellationToken);

    public async ValueTask InitializeAsync()
    {
        bool present;
        try
        {
            present = await Engine.ImageExistsAsync(Image, CancellationToken.None);
        }
        catch (HttpRequestException e)
        {
            throw new InvalidOperationException($"the docker engine is not reachable at {Engine.SocketPath} ({e.Message}); {Prepare}", e);
        }

        if (!present)
        {
            throw new InvalidOperationException($"the image {Image} is missing; {Prepare}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var name in _containers)
        {
            try
            {
                await Engine.RemoveContainerAsync(name, CancellationToken.None);
            }
            catch (HttpRequestException)
            {
                // The engine is gone; nothing left to clean.
            }
        }

        Executor.Dispose();
        Engine.Dispose();
    }
}
