using System.Text.Json;
using Yardmaster.Core.Configuration;
using Yardmaster.Runtime.Serving;
using Yardmaster.Server.Backends;
using Yardmaster.Server.Gateway;

namespace Yardmaster.Server.Ensembles;

/// <summary>
/// Calls an ensemble's members at once, each through the scheduler (a slot of its own at the ensemble's priority and
/// deadline, then the replica's own forward path, in process), and collects their answers until the combine mode is
/// settled (<c>first</c>: one success; else every member) or the cutoff passes; members still running then are cancelled
/// and their slots released. Thread-safe; one instance serves every ensemble.
/// </summary>
internal sealed class EnsembleRunner(ServingRegistry registry, ServingScheduler scheduler, TimeProvider time, CancellationToken stopping)
{
    /// <summary>Share of the time to the deadline the members of a <c>judge</c> ensemble have; the judge has the rest.</summary>
    private const double MemberShareBeforeJudge = 0.75;

    /// <summary>The counts per ensemble and member.</summary>
    public EnsembleStatistics Statistics { get; } = new();

    /// <summary>
    /// Runs <paramref name="call"/>'s members until settled or <paramref name="cutoff"/>; results in member order.
    /// <paramref name="relay"/>, for a stream, passes the first member's events to the client as they come.
    /// </summary>
    public async Task<IReadOnlyList<MemberResult>> RunAsync(EnsembleCall call, IReadOnlyList<string> members, bool firstWins, DateTimeOffset cutoff, StreamRelay? relay, CancellationToken abort)
    {
        var results = new MemberResult?[members.Count];
        using var settle = CancellationTokenSource.CreateLinkedTokenSource(abort, stopping);
        var own = new CancellationTokenSource[members.Count];
        for (var i = 0; i < members.Count; i++)
        {
            own[i] = CancellationTokenSource.CreateLinkedTokenSource(settle.Token);
        }

        relay?.OnWin(winner =>
        {
            for (var i = 0; i < own.Length; i++)
            {
                if (i != winner)
                {
                    own[i].Cancel();
                }
            }
        });
        var calls = new List<Task<MemberResult>>(members.Count);
        for (var i = 0; i < members.Count; i++)
        {
            var (index, member) = (i, members[i]);
            calls.Add(CallAsync(member, call, call.Body, call.Root, own[i].Token, relay is null ? null : context => relay.For(index, member, context)));
        }

        var wait = cutoff - time.GetUtcNow();
        using var timer = new CancellationTokenSource();
        var deadline = Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, time, timer.Token);
        var pending = new List<Task<MemberResult>>(calls);
        var settled = false;
        while (pending.Count > 0 && !settled)
        {
            var done = await Task.WhenAny([.. pending, deadline]).ConfigureAwait(false);
            if (done == deadline)
            {
                break;
            }

            var task = (Task<MemberResult>)done;
            pending.Remove(task);
            var index = calls.IndexOf(task);
            var result = await task.ConfigureAwait(false);
            if (result.Status != MemberStatus.Answered && own[index].IsCancellationRequested && !settle.IsCancellationRequested)
            {
                result = result with { Status = MemberStatus.Cancelled, Error = null }; // another member's stream won
            }

            results[index] = result;
            settled = firstWins && result.Status == MemberStatus.Answered;
        }

        await timer.CancelAsync().ConfigureAwait(false);
        var at = time.GetElapsedTime(call.Started);
        for (var i = 0; i < results.Length; i++)
        {
            results[i] ??= new MemberResult(members[i], settled ? MemberStatus.Cancelled : MemberStatus.Late, at, null, null, null);
        }

        await settle.CancelAsync().ConfigureAwait(false);
        // The cancelled calls end on their own (their slots released as each returns); the answer does not wait for them.
        _ = Task.WhenAll(calls).ContinueWith(
            t =>
            {
                _ = t.Exception;
                foreach (var cts in own)
                {
                    cts.Dispose();
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return [.. results.Select(r => r!)];
    }

    /// <summary>
    /// The whole of a non-streamed ensemble request: its members run until settled or the cutoff (for <c>judge</c>, three
    /// quarters of the time to the deadline, the judge having the rest), then combined; counted in <see cref="Statistics"/>.
    /// </summary>
    public async Task<EnsembleOutcome> AnswerAsync(EnsembleCall call, EnsembleSettings settings, CancellationToken abort)
    {
        var now = time.GetUtcNow();
        var judged = settings.Combine == EnsembleCombine.Judge;
        var cutoff = judged ? now + ((call.Deadline - now) * MemberShareBeforeJudge) : call.Deadline;
        var results = await RunAsync(call, settings.Members, settings.Combine == EnsembleCombine.First, cutoff, relay: null, abort).ConfigureAwait(false);
        if (abort.IsCancellationRequested)
        {
            return new EnsembleOutcome(499, null, "the request was cancelled", null, results, EnsembleAnswer.Header(results, null));
        }

        var answered = results.Count(r => r.Status == MemberStatus.Answered);
        var required = Math.Min(settings.RequiredMembers, settings.Members.Count);
        if (answered < required || answered == 0)
        {
            var late = results.Any(r => r.Status == MemberStatus.Late);
            var what = string.Join("; ", results.Select(r => r.Error is null ? $"{r.Member}: {r.Status.ToString().ToLowerInvariant()}" : $"{r.Member}: failed ({r.Error})"));
            Statistics.Record(call.Task.Name, late ? "timed_out" : "failed", results, null);
            var error = late
                ? $"ensemble '{call.Task.Name}': {answered} of {settings.Members.Count} members answered before the deadline, fewer than min_members {required}; {what}"
                : $"ensemble '{call.Task.Name}': {answered} of {settings.Members.Count} members answered, fewer than min_members {required}; {what}";
            return new EnsembleOutcome(late ? 504 : 502, null, error, null, results, EnsembleAnswer.Header(results, null));
        }

        var chosen = results[EnsembleAnswer.Choose(settings.Combine == EnsembleCombine.First ? EnsembleCombine.First : EnsembleCombine.Vote, results)];
        MemberResult? judge = null;
        if (judged)
        {
            judge = await JudgeAsync(settings.Judge!, call, results, abort).ConfigureAwait(false);
        }

        var all = settings.Combine == EnsembleCombine.All;
        var verdict = judge is { Status: MemberStatus.Answered, Answer: not null } ? judge : null;
        var shown = all ? null : verdict is not null ? settings.Judge : chosen.Member;
        var yard = EnsembleAnswer.Yard(call.Task.Name, settings.Combine, results, shown, judge);
        var body = all ? EnsembleAnswer.All(call.Task.Name, results, yard) : EnsembleAnswer.With((verdict ?? chosen).Answer!.Value, yard);
        Statistics.Record(call.Task.Name, "answered", results, shown);
        return new EnsembleOutcome(200, body, null, all ? null : (verdict ?? chosen).Model, results, EnsembleAnswer.Header(results, shown))
        {
            Usage = (results.Sum(r => r.Usage.Prompt) + (judge?.Usage.Prompt ?? 0), results.Sum(r => r.Usage.Completion) + (judge?.Usage.Completion ?? 0)),
        };
    }

    /// <summary>Asks the judge to pick or merge the answers, before the deadline; a judge that fails or is late leaves the vote's choice standing.</summary>
    private async Task<MemberResult> JudgeAsync(string judge, EnsembleCall call, IReadOnlyList<MemberResult> results, CancellationToken abort)
    {
        var answered = results.Where(r => r.Status == MemberStatus.Answered).ToList();
        var body = JudgePrompt.Body(judge, call.Root, call.Chat, answered);
        using var document = JsonDocument.Parse(body);
        var left = call.Deadline - time.GetUtcNow();
        using var deadline = new CancellationTokenSource(left > TimeSpan.Zero ? left : TimeSpan.Zero, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(abort, deadline.Token, stopping);
        var verdict = await CallAsync(judge, call with { Stream = false }, body, document.RootElement, linked.Token).ConfigureAwait(false);
        return verdict.Status != MemberStatus.Answered && deadline.IsCancellationRequested ? verdict with { Status = MemberStatus.Late, Error = null } : verdict;
    }

    /// <summary>One call of <paramref name="member"/> (a model, or a task of models) with <paramref name="body"/>: acquire, forward, release.</summary>
    public async Task<MemberResult> CallAsync(string member, EnsembleCall call, byte[] body, JsonElement root, CancellationToken cancellationToken, Func<HttpContext, Stream>? relayFor = null)
    {
        var current = registry.Current;
        TaskDefinition task;
        if (current.Tasks.TryGetValue(member, out var named))
        {
            if (named.Ensemble is { } nested)
            {
                return await NestedAsync(member, named, nested, call, cancellationToken).ConfigureAwait(false);
            }

            task = named;
        }
        else if (current.Models.ContainsKey(member))
        {
            // Its own name in the scheduler: the members of an ensemble share fairly with each other, not with the model's direct callers.
            task = new TaskDefinition { Name = call.Task.Name + "/" + member, Priority = call.Priority, Latency = call.Task.Latency, Models = [member], Weight = call.Task.Weight };
        }
        else
        {
            return Failed(member, call, $"'{member}' is neither a model nor a task");
        }

        var ticket = new RequestTicket
        {
            RequestId = call.RequestId + "/" + member, Task = task, Priority = call.Priority, Deadline = call.Deadline, Arrival = time.GetUtcNow(),
            Cost = Math.Max(1, call.MaxTokens ?? 16), PromptTokens = call.PromptTokens, MaxTokens = call.MaxTokens,
        };
        AcquireResult acquired;
        try
        {
            acquired = await scheduler.AcquireAsync(ticket, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Failed(member, call, "cancelled while waiting for a slot");
        }

        if (acquired.Lease is not { } lease)
        {
            return Failed(member, call, acquired.Refusal!.Message);
        }

        var context = new DefaultHttpContext { RequestAborted = cancellationToken };
        using var buffer = new MemoryStream();
        var relay = relayFor?.Invoke(context);
        context.Response.Body = relay ?? buffer;
        var started = time.GetTimestamp();
        ForwardReport report;
        try
        {
            report = await ((IServingReplica)lease.Instance).ForwardAsync(new ForwardCall(body, root, call.Chat, call.Stream) { Priority = call.Priority }, context, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            scheduler.Release(lease, success: false, serviceTime: null);
            throw;
        }

        var completed = report.Outcome == ForwardOutcome.Completed && context.Response.StatusCode == 200;
        if (report.Outcome == ForwardOutcome.Unreachable && !report.RetryOnly)
        {
            scheduler.ReportUnreachable(lease, report.Error ?? "unreachable");
        }
        else
        {
            scheduler.Release(lease, completed, completed ? time.GetElapsedTime(started) : null, report.PromptTokens > 0 || report.CompletionTokens > 0 ? report.CompletionTokens : null);
        }

        var latency = time.GetElapsedTime(call.Started);
        if (!completed)
        {
            var why = report.Error ?? (context.Response.StatusCode >= 400 ? $"answered {context.Response.StatusCode}: {Shorten(buffer)}" : report.Outcome.ToString().ToLowerInvariant());
            return new MemberResult(member, MemberStatus.Failed, latency, lease.Model, null, why);
        }

        if (relay is not null)
        {
            return new MemberResult(member, MemberStatus.Answered, latency, lease.Model, null, null) { Usage = (report.PromptTokens, report.CompletionTokens) };
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.ToArray());
            return new MemberResult(member, MemberStatus.Answered, latency, lease.Model, document.RootElement.Clone(), null) { Usage = (report.PromptTokens, report.CompletionTokens) };
        }
        catch (JsonException e)
        {
            return new MemberResult(member, MemberStatus.Failed, latency, lease.Model, null, "the answer is not JSON: " + e.Message);
        }
    }

    /// <summary>A member that is itself an ensemble (validation refuses cycles): answered as a whole, within the outer request's deadline.</summary>
    private async Task<MemberResult> NestedAsync(string member, TaskDefinition task, EnsembleSettings nested, EnsembleCall call, CancellationToken cancellationToken)
    {
        if (call.Stream)
        {
            return Failed(member, call, "an ensemble member cannot stream; only models and tasks of models can be the winner of a streamed first");
        }

        var requestId = call.RequestId + "/" + member;
        var (admission, refusal) = scheduler.AdmitWithoutSlot(new RequestTicket { RequestId = requestId, Task = task, Priority = call.Priority, Deadline = call.Deadline, Arrival = time.GetUtcNow() });
        if (refusal is not null)
        {
            return Failed(member, call, refusal.Message); // its own rate or max_concurrency, as for a member that is a task of models
        }

        using var admitted = admission;
        var outcome = await AnswerAsync(call with { Task = task, RequestId = requestId }, nested, cancellationToken).ConfigureAwait(false);
        var latency = time.GetElapsedTime(call.Started);
        if (outcome.Body is not { } body)
        {
            return new MemberResult(member, MemberStatus.Failed, latency, null, null, outcome.Error);
        }

        using var document = JsonDocument.Parse(body.ToJsonString());
        return new MemberResult(member, MemberStatus.Answered, latency, outcome.Model, document.RootElement.Clone(), null) { Usage = outcome.Usage };
    }

    private MemberResult Failed(string member, EnsembleCall call, string why) =>
        new(member, MemberStatus.Failed, time.GetElapsedTime(call.Started), null, null, why);

    private static string Shorten(MemoryStream buffer)
    {
        var text = System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)Math.Min(buffer.Length, 300));
        return text.Replace('\n', ' ');
    }
}
