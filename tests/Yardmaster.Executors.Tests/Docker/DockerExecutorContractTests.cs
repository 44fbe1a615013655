using Yardmaster.Core.Execution;

namespace Yardmaster.Executors.Tests.Docker;

/// <summary>The executor contract, each command run as <c>sh -c</c> in the busybox image on the real engine.</summary>
public sealed class DockerExecutorContractTests(DockerEngineFixture engine) : ExecutorContract, IClassFixture<DockerEngineFixture>
{
    protected override IStepExecutor Executor => engine.Executor;

    protected override StepLaunch Launch(TempDirectory dir, string attemptId, string shell) =>
        engine.Launch(dir, attemptId, "sh", "-c", shell);
}
