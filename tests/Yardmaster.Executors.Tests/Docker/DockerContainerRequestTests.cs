using Yardmaster.Core.Execution;
using Yardmaster.Executors.Docker;

namespace Yardmaster.Executors.Tests.Docker;

public sealed class DockerContainerRequestTests
{
    private static readonly StepLaunch Launch = new()
    {
        AttemptId = "r1.serve.1",
        RunId = "r1",
        StepId = "serve",
        Attempt = 1,
        WorkingDirectory = "/runs/r1",
        AttemptDirectory = "/runs/r1/.attempts/serve.1",
        LogPath = "/runs/r1/serve.log",
    };

    [Fact]
    public void Build_CommandOnly_CmdGivenToTheImagesEntrypoint()
    {
        var body = DockerContainerRequest.Build(Launch, new ContainerSpec("yard/busybox:local", ["echo", "hi"]), TimeSpan.FromSeconds(10));

        Assert.Equal("""["echo","hi"]""", body["Cmd"]!.ToJsonString());
        Assert.False(body.ContainsKey("Entrypoint"));
    }

    [Fact]
    public void Build_Entrypoint_ReplacesTheImagesEntrypoint()
    {
        var body = DockerContainerRequest.Build(Launch, new ContainerSpec("yard/busybox:local", null) { Entrypoint = ["yard", "model-server", "--port", "23456"] }, TimeSpan.FromSeconds(10));

        Assert.Equal("""["yard","model-server","--port","23456"]""", body["Entrypoint"]!.ToJsonString());
        Assert.False(body.ContainsKey("Cmd"));
    }

    [Fact]
    public void Build_OutputsFileInTheWorkingDirectory_GivenAsTheContainersPath()
    {
        var launch = Launch with
        {
            Environment = new Dictionary<string, string> { ["YARD_OUTPUTS"] = "/runs/r1/.yard-outputs/r1.serve.1.json", ["OTHER"] = "/runs/r1/x" },
        };

        var body = DockerContainerRequest.Build(launch, new ContainerSpec("yard/busybox:local", ["true"]) { WorkDir = "/data/" }, TimeSpan.FromSeconds(10));

        var env = body["Env"]!.AsArray().Select(e => e!.GetValue<string>()).ToList();
        Assert.Contains("YARD_OUTPUTS=/data/.yard-outputs/r1.serve.1.json", env);
        Assert.Contains("OTHER=/runs/r1/x", env);
    }
}
