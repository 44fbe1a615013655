using Yardmaster.Core.Execution;
using Yardmaster.Executors.Slurm;

namespace Yardmaster.Executors.Tests.Slurm;

/// <summary>How each final Slurm state is told to the scheduler.</summary>
public sealed class SlurmJobOutcomeTests
{
    private const string Locator = "slurm job 12 on n1";

    public static TheoryData<string, int?, int?, bool, StepExit?> States => new()
    {
        { "RUNNING", null, null, false, null },
        { "PENDING", null, null, true, null },
        { "COMPLETING", 0, null, false, null },
        { "COMPLETED", 0, null, false, new StepExit(0, null) },
        { "FAILED", 3, null, false, new StepExit(3, null) },
        { "FAILED", null, 10, false, new StepExit(null, 10) },
        { "FAILED", 0, null, false, new StepExit(null, null, Error: "slurm job 12 on n1 failed without an exit status (JobLaunchFailure)") },
        { "CANCELLED", null, 9, true, new StepExit(null, 9) },
        { "CANCELLED", 0, null, true, new StepExit(null, 15) },
        { "CANCELLED", 0, null, false, new StepExit(null, null, Error: "slurm job 12 on n1 was cancelled outside Yardmaster (scancel) (JobLaunchFailure)") },
        { "TIMEOUT", null, 15, false, new StepExit(null, 15, TimedOut: true) },
        { "OUT_OF_MEMORY", null, 125, false, new StepExit(null, null, OomKilled: true) },
        { "NODE_FAIL", 0, null, false, new StepExit(null, null, Error: "slurm job 12 on n1: its node n1 failed (NODE_FAIL); the job ended with it") },
        { "PREEMPTED", null, 15, false, new StepExit(null, 15, Preempted: true) },
        { "BOOT_FAIL", null, null, false, new StepExit(null, null, Error: "slurm job 12 on n1: its node n1 failed to boot (BOOT_FAIL)") },
        { "REVOKED", null, null, false, new StepExit(null, null, Error: "slurm job 12 on n1 ended in state REVOKED (JobLaunchFailure)") },
    };

    [Theory]
    [MemberData(nameof(States))]
    public void From_State_GivesTheOutcome(string state, int? exitCode, int? signal, bool stopRequested, StepExit? expected)
    {
        var job = new SlurmJobState("12", state, exitCode, signal, "n1", "JobLaunchFailure");

        Assert.Equal(expected, SlurmJobOutcome.From(job, Locator, stopRequested));
    }

    [Fact]
    public void From_Outcomes_DescribeAsUsersReadThem()
    {
        Assert.Equal("ended by the engine at its time limit", SlurmJobOutcome.From(new SlurmJobState("1", "TIMEOUT", null, 15, "n1", "TimeLimit"), Locator, false)!.Describe());
        Assert.Equal("OOM-killed: the step used more memory than its limit", SlurmJobOutcome.From(new SlurmJobState("1", "OUT_OF_MEMORY", null, 125, "n1", null), Locator, false)!.Describe());
        Assert.Equal("exit 3", SlurmJobOutcome.From(new SlurmJobState("1", "FAILED", 3, null, "n1", "NonZeroExitCode"), Locator, false)!.Describe());
    }
}
