using Yardmaster.Executors.Docker;

namespace Yardmaster.Executors.Tests.Docker;

public sealed class DockerContainerNameTests
{
    [Theory]
    [InlineData("r42.prepare.1", "yard-r42.prepare.1")]
    [InlineData("run/7:step 1", "yard-run_7_step_1")]
    public void For_AttemptId_KeepsDockersCharacterSet(string attemptId, string expected) =>
        Assert.Equal(expected, DockerContainerName.For(attemptId));
}
