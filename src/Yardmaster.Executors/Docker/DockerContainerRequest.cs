using System.Globalization;
using System.Text.Json.Nodes;
using Yardmaster.Core.Execution;

namespace Yardmaster.Executors.Docker;

/// <summary>The body of <c>POST /containers/create</c> for one attempt of a container step.</summary>
internal static class DockerContainerRequest
{
    /// <summary>The label keys every attempt's container carries.</summary>
    public const string RunLabel = "yard.run";

    /// <inheritdoc cref="RunLabel"/>
    public const string StepLabel = "yard.step";

    /// <summary>Holds the attempt id (unique), not the attempt number (that is in <c>YARD_ATTEMPT</c>).</summary>
    public const string AttemptLabel = "yard.attempt";

    /// <summary>
    /// The image, command and working directory of <paramref name="container"/>; the launch's environment plus
    /// <c>YARD_RUN_ID</c>, <c>YARD_STEP_ID</c>, <c>YARD_ATTEMPT</c>; the run directory bind-mounted read-write at the
    /// working directory; memory (without swap), CPU and GPU limits when set; no TTY, no auto-remove (the executor
    /// removes it once it has read the outcome).
    /// </summary>
    public static JsonObject Build(StepLaunch launch, ContainerSpec container, TimeSpan stopGrace)
    {
        var env = new JsonArray();
        foreach (var (key, value) in launch.Environment)
        {
            env.Add($"{key}={InContainer(key, value, launch, container)}");
        }

        env.Add($"YARD_RUN_ID={launch.RunId}");
        env.Add($"YARD_STEP_ID={launch.StepId}");
        env.Add("YARD_ATTEMPT=" + launch.Attempt.ToString(CultureInfo.InvariantCulture));

        var body = new JsonObject
        {
            ["Image"] = container.Image,
            ["WorkingDir"] = container.WorkDir,
            ["Env"] = env,
            ["Labels"] = new JsonObject
            {
                [RunLabel] = launch.RunId,
                [StepLabel] = launch.StepId,
                [AttemptLabel] = launch.AttemptId,
            },
            ["Tty"] = false,
            ["AttachStdin"] = false,
            ["OpenStdin"] = false,
            ["StopTimeout"] = (int)Math.Ceiling(stopGrace.TotalSeconds),
            ["HostConfig"] = HostConfig(launch, container),
        };
        if (container.Command is { } command)
        {
            body["Cmd"] = new JsonArray([.. command.Select(a => (JsonNode)a)]);
        }

        if (container.Entrypoint is { } entrypoint)
        {
            body["Entrypoint"] = new JsonArray([.. entrypoint.Select(a => (JsonNode)a)]);
        }

        return body;
    }

    /// <summary><c>YARD_OUTPUTS</c>, a file in the run's working directory, as the container sees it (under <see cref="ContainerSpec.WorkDir"/>).</summary>
    private static string InContainer(string key, string value, StepLaunch launch, ContainerSpec container)
    {
        if (key != "YARD_OUTPUTS")
        {
            return value;
        }

        var relative = Path.GetRelativePath(Path.GetFullPath(launch.WorkingDirectory), Path.GetFullPath(value));
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? value : container.WorkDir.TrimEnd('/') + "/" + relative.Replace('\\', '/');
    }

    private static JsonObject HostConfig(StepLaunch launch, ContainerSpec container)
    {
        // Mounts rather than Binds: a host path with ':' in it cannot be written as a bind string.
        var host = new JsonObject
        {
            ["AutoRemove"] = false,
            ["Mounts"] = new JsonArray(new JsonObject
            {
                ["Type"] = "bind",
                ["Source"] = Path.GetFullPath(launch.WorkingDirectory),
                ["Target"] = container.WorkDir,
                ["ReadOnly"] = false,
            }),
        };
        if (launch.MemoryBytes > 0)
        {
            host["Memory"] = launch.MemoryBytes;
            host["MemorySwap"] = launch.MemoryBytes; // equal to Memory: no swap on top of the limit
        }

        // resources.cpu is a share, weighted by class as process steps are (CpuClassGroups.Shares among the containers); cpu_limit caps it.
        host["CpuShares"] = Process.CpuClassGroups.Shares(launch.Priority);
        if (launch.CpuLimitMillis > 0)
        {
            host["NanoCpus"] = launch.CpuLimitMillis * 1_000_000;
        }

        if (launch.Gpus.Count > 0)
        {
            host["DeviceRequests"] = new JsonArray(new JsonObject
            {
                ["Driver"] = "nvidia",
                ["DeviceIDs"] = new JsonArray([.. launch.Gpus.Select(g => (JsonNode)g.ToString(CultureInfo.InvariantCulture))]),
                ["Capabilities"] = new JsonArray(new JsonArray("gpu")),
            });
        }

        return host;
    }
}
