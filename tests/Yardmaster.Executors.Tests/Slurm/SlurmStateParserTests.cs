using Yardmaster.Executors.Slurm;

namespace Yardmaster.Executors.Tests.Slurm;

/// <summary>Reading job states from recorded squeue and sacct output.</summary>
public sealed class SlurmStateParserTests
{
    [Fact]
    public void QueueParse_RecordedOutput_GivesStatesExitCodesSignalsNodesAndReasons()
    {
        var jobs = SlurmQueueParser.Parse(SlurmRecordedOutput.Queue).ToDictionary(j => j.State.JobId);

        Assert.Equal(new SlurmJobState("9", "CANCELLED", null, 9, "n1", null), jobs["9"].State);
        Assert.Equal(new SlurmJobState("5", "COMPLETED", 0, null, "n2", null), jobs["5"].State);
        Assert.Equal(new SlurmJobState("4", "FAILED", 3, null, "n1", "NonZeroExitCode"), jobs["4"].State);
        Assert.Equal("OUT_OF_MEMORY", jobs["14"].State.State);
        Assert.Equal(new SlurmJobState("15", "TIMEOUT", null, 15, "n1", "TimeLimit"), jobs["15"].State);
        Assert.Equal(new SlurmJobState("7", "CANCELLED", 0, null, null, "Priority"), jobs["7"].State);
        Assert.Equal(new SlurmJobState("16", "RUNNING", null, null, "n2", null), jobs["16"].State);
        Assert.Equal(new SlurmJobState("17", "PENDING", null, null, null, "BeginTime"), jobs["17"].State);
        Assert.Equal("yard-c1.fail.1.3351c13e", jobs["4"].Name);
    }

    [Fact]
    public void QueueParse_States_EndOnlyWhenFinal()
    {
        var jobs = SlurmQueueParser.Parse(SlurmRecordedOutput.Queue).ToDictionary(j => j.State.JobId, j => j.State);

        Assert.All(new[] { "9", "5", "4", "14", "15", "7" }, id => Assert.True(jobs[id].HasEnded, id));
        Assert.All(new[] { "16", "17", "18" }, id => Assert.False(jobs[id].HasEnded, id));
        Assert.True(jobs["17"].IsPending);
        Assert.False(jobs["16"].IsPending);
    }

    [Theory]
    [InlineData("0", 0, null)]
    [InlineData("768", 3, null)]
    [InlineData("9", null, 9)]
    [InlineData("15", null, 15)]
    [InlineData("32512", 127, null)]
    [InlineData("", null, null)]
    public void WaitStatus_RawStatus_IsExitCodeOrSignal(string raw, int? exit, int? signal) =>
        Assert.Equal((exit, signal), SlurmQueueParser.WaitStatus(raw));

    [Fact]
    public void AccountingParse_RecordedOutput_SkipsStepsAndReadsCodeColonSignal()
    {
        var jobs = SlurmAccountingParser.Parse(SlurmRecordedOutput.Accounting).ToDictionary(j => j.State.JobId);

        Assert.Equal(["9", "2", "14", "15", "5", "7"], jobs.Keys);
        Assert.Equal(new SlurmJobState("9", "CANCELLED", 0, null, "n1", null), jobs["9"].State);
        Assert.Equal(new SlurmJobState("2", "FAILED", 3, null, "n1", null), jobs["2"].State);
        Assert.Equal(new SlurmJobState("5", "FAILED", null, 10, "n2", null), jobs["5"].State);
        Assert.Equal(new SlurmJobState("7", "CANCELLED", 0, null, null, null), jobs["7"].State);
        Assert.Equal("yard-oom.938806e5", jobs["14"].Name);
    }

    [Fact]
    public void AccountingParse_RequeuedJobListedTwice_KeepsTheLastRecord()
    {
        var jobs = SlurmAccountingParser.Parse("30|NODE_FAIL|0:0|n1|None|yard-a.1\n30|COMPLETED|0:0|n2|None|yard-a.1\n");

        Assert.Equal(new SlurmJobState("30", "COMPLETED", 0, null, "n2", null), Assert.Single(jobs).State);
    }
}
