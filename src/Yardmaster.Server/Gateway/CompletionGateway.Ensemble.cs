using System.Text.Json;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Statistics;
using Yardmaster.Runtime.Serving;
using Yardmaster.Server.Backends;
using Yardmaster.Server.Ensembles;
using Yardmaster.Server.ModelServer;

namespace Yardmaster.Server.Gateway;

/// <summary>
/// A task with <c>ensemble:</c>: its members are called at once (<see cref="EnsembleRunner"/>) and their answers
/// combined (<see cref="EnsembleAnswer"/>); the answer (or the 504/502) names what each member did in <c>yard</c> and
/// <c>X-Yard-Ensemble</c>.
/// </summary>
internal sealed partial class CompletionGateway
{
    /// <summary>Share of the time to the deadline the members of a <c>judge</c> ensemble have; the judge has the rest.</summary>
    private const double MemberShareBeforeJudge = 0.75;

    private async Task ServeEnsembleAsync(HttpContext http, Arrived arrived, RequestTicket ticket, ForwardCall forward)
    {
        var task = arrived.Task;
        var settings = task.Ensemble!;
        var abort = http.RequestAborted;
        http.Response.Headers["X-Yard-Task"] = task.Name;
        if (forward.Stream && settings.Combine != EnsembleCombine.First)
        {
            Record(arrived, null, RequestOutcome.Invalid, null, null, 0, 0, "invalid_request");
            await OpenAiError.BadRequest($"task '{task.Name}' is an ensemble with combine: {settings.Combine.Name()}; only combine: first can stream (send stream: false)", "stream")
                .WriteAsync(http.Response, abort).ConfigureAwait(false);
            return;
        }

        var now = time.GetUtcNow();
        var call = new EnsembleCall(task, arrived.RequestId, ticket.Priority, ticket.Deadline, forward.Body, forward.Root.Clone(), forward.Chat, forward.Stream)
        {
            MaxTokens = ticket.MaxTokens, PromptTokens = ticket.PromptTokens, Started = arrived.Timestamp,
        };
        var judged = settings.Combine == EnsembleCombine.Judge;
        var cutoff = judged ? now + ((ticket.Deadline - now) * MemberShareBeforeJudge) : ticket.Deadline;
        var relay = forward.Stream ? new StreamRelay(http, (response, member) =>
        {
            response.Headers["X-Yard-Ensemble"] = "chosen=" + member;
        }) : null;
        var results = await ensembles.RunAsync(call, settings.Members, settings.Combine == EnsembleCombine.First, cutoff, relay, abort).ConfigureAwait(false);
        if (relay is { Winner: >= 0 } won)
        {
            var winner = results[won.Winner];
            var ok = winner.Status == MemberStatus.Answered;
            ensembles.Statistics.Record(task.Name, ok ? "answered" : "failed", results, winner.Member);
            Record(arrived, winner.Model, ok ? RequestOutcome.Completed : RequestOutcome.Failed, null, null, winner.Usage.Prompt, winner.Usage.Completion, ok ? null : RefusalReasons.BackendFailed);
            return;
        }

        if (abort.IsCancellationRequested)
        {
            Record(arrived, null, RequestOutcome.Cancelled, null, null, 0, 0, null);
            return;
        }

        var answered = results.Count(r => r.Status == MemberStatus.Answered);
        if (answered < Math.Min(settings.RequiredMembers, settings.Members.Count) || answered == 0)
        {
            await RefuseEnsembleAsync(http, arrived, settings, results, answered).ConfigureAwait(false);
            return;
        }

        var chosenIndex = EnsembleAnswer.Choose(settings.Combine == EnsembleCombine.Vote || judged ? EnsembleCombine.Vote : settings.Combine, results);
        var chosen = results[chosenIndex];
        MemberResult? judge = null;
        if (judged)
        {
            judge = await JudgeAsync(settings.Judge!, call, results, abort).ConfigureAwait(false);
        }

        var yardChosen = settings.Combine == EnsembleCombine.All ? null : judge is { Status: MemberStatus.Answered } ? settings.Judge : chosen.Member;
        var yard = EnsembleAnswer.Yard(task.Name, settings.Combine, results, yardChosen, judge);
        var body = settings.Combine == EnsembleCombine.All
            ? EnsembleAnswer.All(task.Name, results, yard)
            : EnsembleAnswer.With(judge is { Status: MemberStatus.Answered, Answer: { } verdict } ? verdict : chosen.Answer!.Value, yard);
        var model = settings.Combine == EnsembleCombine.All ? null : judge is { Status: MemberStatus.Answered } ? judge.Model : chosen.Model;
        var (prompt, completion) = (results.Sum(r => r.Usage.Prompt) + (judge?.Usage.Prompt ?? 0), results.Sum(r => r.Usage.Completion) + (judge?.Usage.Completion ?? 0));
        ensembles.Statistics.Record(task.Name, "answered", results, yardChosen);
        var response = http.Response;
        response.Headers["X-Yard-Ensemble"] = EnsembleAnswer.Header(results, yardChosen);
        if (model is not null)
        {
            response.Headers["X-Yard-Model"] = model;
        }

        response.StatusCode = 200;
        response.ContentType = "application/json";
        Record(arrived, model, RequestOutcome.Completed, null, null, prompt, completion, null);
        await response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(body), abort).ConfigureAwait(false);
    }

    /// <summary>Asks the judge to pick or merge the answers, before the deadline; a judge that fails or is late leaves the vote's choice standing.</summary>
    private async Task<MemberResult> JudgeAsync(string judge, EnsembleCall call, IReadOnlyList<MemberResult> results, CancellationToken abort)
    {
        var answered = results.Where(r => r.Status == MemberStatus.Answered).ToList();
        var body = JudgePrompt.Body(judge, call.Root, call.Chat, answered);
        using var document = JsonDocument.Parse(body);
        using var deadline = new CancellationTokenSource(Max(call.Deadline - time.GetUtcNow(), TimeSpan.Zero), time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(abort, deadline.Token, stopping);
        var verdict = await ensembles.CallAsync(judge, call with { Stream = false }, body, document.RootElement, linked.Token).ConfigureAwait(false);
        return verdict.Status != MemberStatus.Answered && deadline.IsCancellationRequested ? verdict with { Status = MemberStatus.Late, Error = null } : verdict;
    }

    private async Task RefuseEnsembleAsync(HttpContext http, Arrived arrived, EnsembleSettings settings, IReadOnlyList<MemberResult> results, int answered)
    {
        var task = arrived.Task;
        var late = results.Any(r => r.Status == MemberStatus.Late);
        var required = Math.Min(settings.RequiredMembers, settings.Members.Count);
        var what = string.Join("; ", results.Select(r => r.Error is null ? $"{r.Member}: {r.Status.ToString().ToLowerInvariant()}" : $"{r.Member}: failed ({r.Error})"));
        ensembles.Statistics.Record(task.Name, late ? "timed_out" : "failed", results, null);
        Record(arrived, null, late ? RequestOutcome.TimedOut : RequestOutcome.Failed, null, null, 0, 0, late ? RefusalReasons.DeadlineExceeded : RefusalReasons.BackendFailed);
        http.Response.Headers["X-Yard-Ensemble"] = EnsembleAnswer.Header(results, null);
        var error = late
            ? new OpenAiError(504, $"ensemble '{task.Name}': {answered} of {settings.Members.Count} members answered before the deadline, fewer than min_members {required}; {what}", "server_error", Code: "deadline_exceeded")
            : new OpenAiError(502, $"ensemble '{task.Name}': {answered} of {settings.Members.Count} members answered, fewer than min_members {required}; {what}", "server_error", Code: "backend_failed");
        await error.WriteAsync(http.Response, http.RequestAborted).ConfigureAwait(false);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
