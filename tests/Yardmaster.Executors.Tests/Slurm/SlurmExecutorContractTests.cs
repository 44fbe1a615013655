using Yardmaster.Core.Execution;

namespace Yardmaster.Executors.Tests.Slurm;

/// <summary>The executor contract, each command a Slurm batch job on the real two-node cluster.</summary>
public sealed class SlurmExecutorContractTests(SlurmClusterFixture cluster) : ExecutorContract, IClassFixture<SlurmClusterFixture>
{
    protected override IStepExecutor Executor => cluster.Executor;

    protected override StepLaunch Launch(TempDirectory dir, string attemptId, string shell) => cluster.Launch(dir, attemptId, shell);
}
