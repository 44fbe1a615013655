namespace Yardmaster.Executors.Docker;

/// <summary>What <c>GET /containers/{id}/json</c> says about a container, the parts the executor reads.</summary>
/// <param name="Id">The full container id.</param>
/// <param name="Status">The engine's state word: created, running, paused, restarting, removing, exited, dead.</param>
/// <param name="ExitCode">The exit status of its last run; meaningful once it is not running.</param>
/// <param name="OomKilled">True when the kernel killed it for exceeding its memory limit.</param>
internal sealed record DockerContainerState(string Id, string Status, int ExitCode, bool OomKilled)
{
    /// <summary>Created but never started: nothing of the attempt ran.</summary>
    public bool NeverStarted => Status == "created";

    /// <summary>Its process may still produce output and an exit status.</summary>
    public bool Running => Status is "running" or "paused" or "restarting";
}
