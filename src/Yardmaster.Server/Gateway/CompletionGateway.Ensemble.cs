using System.Text.Json;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Statistics;
using Yardmaster.Runtime.Serving;
using Yardmaster.Server.Backends;
using Yardmaster.Server.Ensembles;
using Yardmaster.Server.ModelServer;

namespace Yardmaster.Server.Gateway;

/// <summary>
/// A task with <c>ensemble:</c>: its members are called at once and their answers combined (<see cref="EnsembleRunner"/>);
/// the answer (or the 504/502) names what each member did in <c>yard</c> and <c>X-Yard-Ensemble</c>. A streamed
/// <c>first</c> relays the first member to start a successful stream (<see cref="StreamRelay"/>).
/// </summary>
internal sealed partial class CompletionGateway
{
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

        // The ensemble's own rate and max_concurrency; each member is then admitted as a request of its own.
        var (admission, refusal) = scheduler.AdmitWithoutSlot(ticket);
        if (refusal is not null)
        {
            await RefuseAsync(http, arrived, refusal).ConfigureAwait(false);
            return;
        }

        using var admitted = admission;
        var call = new EnsembleCall(task, arrived.RequestId, ticket.Priority, ticket.Deadline, forward.Body, forward.Root.Clone(), forward.Chat, forward.Stream)
        {
            MaxTokens = ticket.MaxTokens, PromptTokens = ticket.PromptTokens, Started = arrived.Timestamp,
        };
        var outcome = forward.Stream ? await StreamFirstAsync(http, arrived, call, settings).ConfigureAwait(false) : await ensembles.AnswerAsync(call, settings, abort).ConfigureAwait(false);
        if (outcome is null)
        {
            return; // streamed
        }

        if (abort.IsCancellationRequested)
        {
            Record(arrived, null, RequestOutcome.Cancelled, null, null, 0, 0, null);
            return;
        }

        var response = http.Response;
        response.Headers["X-Yard-Ensemble"] = outcome.Header;
        if (outcome.Body is not { } body)
        {
            var late = outcome.Status == 504;
            Record(arrived, null, late ? RequestOutcome.TimedOut : RequestOutcome.Failed, null, null, 0, 0, late ? RefusalReasons.DeadlineExceeded : RefusalReasons.BackendFailed);
            await new OpenAiError(outcome.Status, outcome.Error!, "server_error", Code: late ? "deadline_exceeded" : "backend_failed").WriteAsync(response, abort).ConfigureAwait(false);
            return;
        }

        if (outcome.Model is not null)
        {
            response.Headers["X-Yard-Model"] = outcome.Model;
        }

        response.StatusCode = 200;
        response.ContentType = "application/json";
        Record(arrived, outcome.Model, RequestOutcome.Completed, null, null, outcome.Usage.Prompt, outcome.Usage.Completion, null);
        await response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(body), abort).ConfigureAwait(false);
    }

    /// <summary>A streamed <c>first</c>: null once a member's stream was relayed (and recorded); else the refusal to write.</summary>
    private async Task<EnsembleOutcome?> StreamFirstAsync(HttpContext http, Arrived arrived, EnsembleCall call, EnsembleSettings settings)
    {
        var relay = new StreamRelay(http, (response, member) => response.Headers["X-Yard-Ensemble"] = "chosen=" + member);
        var results = await ensembles.RunAsync(call, settings.Members, firstWins: true, call.Deadline, relay, http.RequestAborted).ConfigureAwait(false);
        if (relay.Winner < 0)
        {
            var late = results.Any(r => r.Status == MemberStatus.Late);
            var what = string.Join("; ", results.Select(r => r.Error is null ? $"{r.Member}: {r.Status.ToString().ToLowerInvariant()}" : $"{r.Member}: failed ({r.Error})"));
            ensembles.Statistics.Record(arrived.Task.Name, late ? "timed_out" : "failed", results, null);
            var error = $"ensemble '{arrived.Task.Name}': no member started an answer{(late ? " before the deadline" : string.Empty)}; {what}";
            return new EnsembleOutcome(late ? 504 : 502, null, error, null, results, EnsembleAnswer.Header(results, null));
        }

        var winner = results[relay.Winner];
        var ok = winner.Status == MemberStatus.Answered;
        ensembles.Statistics.Record(arrived.Task.Name, ok ? "answered" : "failed", results, winner.Member);
        Record(arrived, winner.Model, ok ? RequestOutcome.Completed : RequestOutcome.Failed, null, null, winner.Usage.Prompt, winner.Usage.Completion, ok ? null : RefusalReasons.BackendFailed);
        return null;
    }
}
