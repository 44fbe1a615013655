namespace Yardmaster.Executors.Docker;

/// <summary>Settings of the <c>docker</c> executor. Validated when the executor is built.</summary>
public sealed class DockerExecutorOptions
{
    /// <summary>The engine's unix socket. Default <c>/var/run/docker.sock</c>.</summary>
    public string SocketPath { get; set; } = "/var/run/docker.sock";

    /// <summary>The Engine API version requests are pinned to. Default <c>1.41</c> (Docker 20.10 and later).</summary>
    public string ApiVersion { get; set; } = "1.41";

    /// <summary>
    /// How long a container gets between SIGTERM and SIGKILL when the engine stops it on its own (daemon shutdown,
    /// <c>docker stop</c> without <c>-t</c>); <see cref="Core.Execution.IStepProcess.StopAsync"/> passes its own grace.
    /// Whole seconds, rounded up. Default 10 s.
    /// </summary>
    public TimeSpan StopGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the log stream may keep going after the container exited before it is cut. Default 10 s.</summary>
    public TimeSpan LogDrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Every problem with these settings; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(SocketPath))
        {
            errors.Add("docker: SocketPath is empty");
        }

        if (string.IsNullOrWhiteSpace(ApiVersion) || !Version.TryParse(ApiVersion, out _))
        {
            errors.Add($"docker: ApiVersion '{ApiVersion}' is not a version such as 1.41");
        }

        if (StopGrace < TimeSpan.Zero)
        {
            errors.Add("docker: StopGrace is negative");
        }

        if (LogDrainTimeout <= TimeSpan.Zero)
        {
            errors.Add("docker: LogDrainTimeout must be positive");
        }

        return errors;
    }
}
