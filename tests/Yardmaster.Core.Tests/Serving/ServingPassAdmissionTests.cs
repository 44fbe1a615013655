using Yardmaster.Core.Admission;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;
using Yardmaster.Core.Serving;

namespace Yardmaster.Core.Tests.Serving;

public sealed class ServingPassAdmissionTests
{
    private static readonly DateTimeOffset _t0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static AdmissionCandidate Loaded(string name, int free, int queued = 0, bool canShed = false, double serviceSeconds = 1, bool measured = true) => new(
        name,
        null,
        new CandidateSnapshot(name, 1, free, queued, 1 - free, 1, TimeSpan.FromSeconds(serviceSeconds), false, TimeSpan.FromSeconds(2), 1, false, false),
        queued,
        canShed,
        TimeSpan.FromSeconds(serviceSeconds),
        measured,
        true,
        null,
        100,
        "cpu",
        1);

    private static AdmissionCandidate Cold(string name, bool fitsSomeBudget) => new(
        name, null, new CandidateSnapshot(name, 1, 0, 0, 0, 0, TimeSpan.FromSeconds(1), false, TimeSpan.FromSeconds(2), 1, false, true), 0, false, TimeSpan.FromSeconds(1), false, fitsSomeBudget, null, 1L << 30, "cpu", 0);

    private static AdmissionInput Input(IReadOnlyList<AdmissionCandidate> candidates, TimeSpan? slack = null, int? maxConcurrency = null, int admitted = 0, TokenBucket? rate = null, int maxQueue = 10) =>
        new(_t0, PriorityClass.High, _t0 + (slack ?? TimeSpan.FromSeconds(30)), false, "chat", maxConcurrency, admitted, rate, candidates, maxQueue, TimeSpan.FromSeconds(20));

    [Fact]
    public void Admit_IdleLoadedModel_AdmittedThereWithItsWholeDeadlineToWait()
    {
        var decision = ServingPass.Admit(Input([Loaded("busy", 0), Loaded("idle", 1)]));
        Assert.Equal(AdmissionVerdict.Admitted, decision.Verdict);
        Assert.Equal(1, decision.Model);
        Assert.Equal(TimeSpan.FromSeconds(30), decision.WaitLimit);
        Assert.Equal(["busy", "idle"], decision.Candidates.Select(c => c.Model));
        Assert.Single(decision.Candidates, c => c.Chosen);
    }

    [Fact]
    public void Admit_ConcurrencyReached_RefusedWithoutTakingARateToken()
    {
        var bucket = new TokenBucket(new RateLimit(1, 1));
        Assert.Equal(AdmissionVerdict.ConcurrencyLimit, ServingPass.Admit(Input([Loaded("m", 1)], maxConcurrency: 2, admitted: 2, rate: bucket)).Verdict);
        Assert.Equal(AdmissionVerdict.Admitted, ServingPass.Admit(Input([Loaded("m", 1)], rate: bucket)).Verdict);
        var limited = ServingPass.Admit(Input([Loaded("m", 1)], rate: bucket));
        Assert.Equal(AdmissionVerdict.RateLimit, limited.Verdict);
        Assert.True(limited.RetryAfter > TimeSpan.Zero);
    }

    [Fact]
    public void Admit_FullQueue_RefusedUnlessALessUrgentRequestCanBeShed()
    {
        Assert.Equal(AdmissionVerdict.QueueFull, ServingPass.Admit(Input([Loaded("m", 0, queued: 10)])).Verdict);
        var shed = ServingPass.Admit(Input([Loaded("m", 0, queued: 10, canShed: true, serviceSeconds: 0.001)]));
        Assert.Equal(AdmissionVerdict.Admitted, shed.Verdict);
        Assert.True(shed.Shed);
    }

    [Fact]
    public void Admit_FullQueueButDeadlineUnmeetable_RefusedAndNothingShed()
    {
        var decision = ServingPass.Admit(Input([Loaded("m", 0, queued: 10, canShed: true, serviceSeconds: 5)], slack: TimeSpan.FromSeconds(3)));
        Assert.Equal(AdmissionVerdict.DeadlineUnmeetable, decision.Verdict);
        Assert.False(decision.Shed);
    }

    [Fact]
    public void Admit_RatesLearned_LongRequestRefusedShortOneAdmittedOnTheSameModel()
    {
        // The model's finished requests taught it 4,000 prompt and 100 output tokens/s; its mean is inflated by long prompts.
        var service = new ServiceTimeEstimator(TimeSpan.FromSeconds(1));
        for (var i = 1; i <= 20; i++)
        {
            var (prompt, output) = (i % 4 == 0 ? 40_000 : 500, 10 * i);
            service.Observe(TimeSpan.FromSeconds((prompt / 4000.0) + (output / 100.0)), prompt, output, output);
        }

        Assert.True(service.Mean > TimeSpan.FromSeconds(3));
        AdmissionDecision For(int prompt, int maxTokens) =>
            ServingPass.Admit(Input([Loaded("m", 1) with { Service = service.Predict(prompt, maxTokens) }], slack: TimeSpan.FromSeconds(3)));

        Assert.Equal(AdmissionVerdict.Admitted, For(400, 64).Verdict); // 0.1 + 0.64 s
        Assert.Equal(AdmissionVerdict.DeadlineUnmeetable, For(20_000, 64).Verdict); // 5 s of prefill alone
        Assert.Equal(AdmissionVerdict.DeadlineUnmeetable, For(400, 1_000).Verdict); // 10 s of decoding
    }

    [Fact]
    public void Admit_DeadlinesNotJudged_AdmittedToWait()
    {
        var decision = ServingPass.Admit(Input([Loaded("m", 0, serviceSeconds: 60)], slack: TimeSpan.FromSeconds(3)) with { JudgeDeadlines = false });
        Assert.Equal(AdmissionVerdict.Admitted, decision.Verdict);
        Assert.Equal(TimeSpan.FromSeconds(3), decision.WaitLimit);
    }

    [Fact]
    public void Admit_ServiceNeverMeasured_DeadlineNotJudged()
    {
        Assert.Equal(AdmissionVerdict.Admitted, ServingPass.Admit(Input([Loaded("m", 0, serviceSeconds: 60, measured: false)], slack: TimeSpan.FromSeconds(3))).Verdict);
    }

    [Fact]
    public void Admit_NothingCanServeNow_WaitsForMemoryOnTheFirstThatFitsABudget_BoundedByLoadWait()
    {
        var decision = ServingPass.Admit(Input([Cold("huge", fitsSomeBudget: false), Cold("small", fitsSomeBudget: true)], slack: TimeSpan.FromMinutes(5)));
        Assert.Equal(AdmissionVerdict.Admitted, decision.Verdict);
        Assert.Equal(1, decision.Model);
        Assert.Equal(TimeSpan.FromSeconds(20), decision.WaitLimit);
        Assert.Equal("none can serve now; it waits for memory to free up, as the first that fits a budget", decision.Reason);
    }

    [Fact]
    public void Admit_NoneCouldEverFit_CannotFitNamingEach()
    {
        var decision = ServingPass.Admit(Input([Cold("huge", fitsSomeBudget: false)]));
        Assert.Equal(AdmissionVerdict.CannotFit, decision.Verdict);
        Assert.Equal("'huge' needs 1.0 GiB, more than any cpu budget", decision.Words);
    }

    [Fact]
    public void Admit_NoAvailableModel_NoModelWithTheirReasons()
    {
        var excluded = new AdmissionCandidate("m", "not chosen: it failed on an earlier attempt", null, 0, false, default, false, false, null, 0, "", 0);
        var decision = ServingPass.Admit(Input([excluded]));
        Assert.Equal(AdmissionVerdict.NoModel, decision.Verdict);
        Assert.Equal("not chosen: it failed on an earlier attempt", Assert.Single(decision.Candidates).Reason);
    }

    [Fact]
    public void Admit_DeadlinePassedOrStopping_RefusedFirst()
    {
        Assert.Equal(AdmissionVerdict.DeadlinePassed, ServingPass.Admit(Input([Loaded("m", 1)], slack: TimeSpan.Zero)).Verdict);
        Assert.Equal(AdmissionVerdict.ShuttingDown, ServingPass.Admit(Input([Loaded("m", 1)]) with { ShuttingDown = true }).Verdict);
    }
}
