using Yardmaster.Core.Execution;
using Yardmaster.Executors.Process;

namespace Yardmaster.Executors.Tests.Process;

public sealed class ProcessExecutorContractTests : ExecutorContract
{
    protected override IStepExecutor Executor { get; } = new ProcessExecutor();

    protected override StepLaunch Launch(TempDirectory dir, string attemptId, string shell) => TestLaunches.Shell(dir, attemptId, shell);
}
