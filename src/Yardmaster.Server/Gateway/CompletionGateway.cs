using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Statistics;
using Yardmaster.Runtime.Serving;
using Yardmaster.Server.Backends;
using Yardmaster.Server.ModelServer;

namespace Yardmaster.Server.Gateway;

/// <summary>
/// <c>POST /v1/chat/completions</c> and <c>POST /v1/completions</c>: reads and checks the body, resolves the
/// task, applies the request's priority and deadline headers, asks the scheduler for a slot, sends the
/// request to the leased replica (retrying elsewhere when it fails before any byte reached the client),
/// and records the outcome; writes one access line per request to <paramref name="access"/>.
/// </summary>
/// <remarks><paramref name="results"/> holds the tasks' result caches; <paramref name="partitionByKey"/> (keys are configured) gives each caller's key its own;
/// <paramref name="ensembles"/> calls the members of a task with <c>ensemble:</c>.</remarks>
internal sealed partial class CompletionGateway(
    ServingRegistry registry, ServingScheduler scheduler, IRequestSink statistics, ServerSettings server, SchedulerSettings settings, TimeProvider time, ILogger access,
    Caching.ResultCache results, bool partitionByKey, Ensembles.EnsembleRunner ensembles, CancellationToken stopping)
{
    private const int MaxAttempts = 3;

    // The body checks of both endpoints, made once rather than a closure per request.
    private Func<JsonElement, OpenAiError?>? _checkChat;
    private Func<JsonElement, OpenAiError?>? _checkCompletion;

    public async Task HandleAsync(HttpContext http, bool chat)
    {
        var arrival = time.GetTimestamp();
        var requestId = RequestIds.Assign(http);
        var note = new AccessNote();
        var threw = true;
        try
        {
            await HandleAsync(http, chat, arrival, requestId, note).ConfigureAwait(false);
            threw = false;
        }
        finally
        {
            WriteAccess(http, requestId, arrival, note, threw);
        }
    }

    private async Task HandleAsync(HttpContext http, bool chat, long arrival, string requestId, AccessNote note)
    {
        var now = time.GetUtcNow();
        var abort = http.RequestAborted;
        using var span = Observability.YardTracing.StartRequest(requestId);
        var check = chat ? _checkChat ??= root => Check(root, chat: true) : _checkCompletion ??= root => Check(root, chat: false);
        var (body, document, readError) = await ReadAsync(http, check).ConfigureAwait(false);
        if (document is null)
        {
            note.Code = readError!.Code ?? readError.Type;
            await readError!.WriteAsync(http.Response, abort).ConfigureAwait(false);
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            if (await ResolveAsync(http, root, note, requestId, now, arrival).ConfigureAwait(false) is not { } resolved)
            {
                return;
            }

            var (task, priority, deadline) = resolved;
            var arrived = new Arrived(task, requestId, now, arrival, priority, note);
            // A cache hit is answered before the ticket and the call exist: it needs neither.
            await ServeCachedAsync(http, arrived, root, chat ? "chat" : "completions", Caching.RequestKey.IsDeterministic(root),
                (Gateway: this, Http: http, Arrived: arrived, Body: body!, Root: root, Chat: chat, Priority: priority, Deadline: deadline),
                static s => s.Gateway.ServeAsync(s.Http, s.Arrived, s.Body, s.Root, s.Chat, s.Priority, s.Deadline)).ConfigureAwait(false);
        }
    }

    /// <summary>Records the scheduler's refusal and answers it in the OpenAI shape (nothing to a client that went away: 499).</summary>
    private Task RefuseAsync(HttpContext http, Arrived arrived, Refusal refusal, string? lastError = null)
    {
        Record(arrived, null, Outcome(refusal), null, null, 0, 0, refusal.Code);
        if (refusal.Status == 499)
        {
            return Task.CompletedTask;
        }

        var message = lastError is null ? refusal.Message : $"{refusal.Message} (after a failed attempt: {lastError})";
        return new OpenAiError(refusal.Status, message, refusal.Status == 429 ? "rate_limit_error" : "server_error", Code: refusal.Code) { RetryAfter = refusal.RetryAfter }
            .WriteAsync(http.Response, http.RequestAborted);
    }

    /// <summary>Asks a model (or the ensemble's members) for the answer to a checked and resolved request.</summary>
    private Task ServeAsync(HttpContext http, Arrived arrived, byte[] body, JsonElement root, bool chat, PriorityClass priority, DateTimeOffset deadline)
    {
        // Check has made both absent, null or an integer of at least 1.
        int? maxTokens = root.TryGetProperty("max_tokens", out var mt) && mt.ValueKind == JsonValueKind.Number ? mt.GetInt32()
            : root.TryGetProperty("max_completion_tokens", out var mct) && mct.ValueKind == JsonValueKind.Number ? mct.GetInt32() : null;
        var ticket = new RequestTicket
        {
            RequestId = arrived.RequestId, Task = arrived.Task, Priority = priority, Deadline = deadline, Arrival = arrived.At,
            Cost = Math.Max(1, maxTokens ?? 16), PromptTokens = PromptTokens.Count(root, chat), MaxTokens = maxTokens,
        };
        var call = new ForwardCall(body, root, chat, root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True) { Priority = priority };
        return arrived.Task.Ensemble is null ? ServeAsync(http, arrived, ticket, call) : ServeEnsembleAsync(http, arrived, ticket, call);
    }

    internal async Task ServeAsync(HttpContext http, Arrived arrived, RequestTicket ticket, ForwardCall call)
    {
        var task = arrived.Task;
        var abort = http.RequestAborted;
        // Already passed (a deadline of 1 ms on a busy machine): cancelled at once, not a negative delay (which throws, a 500).
        using var deadline = new CancellationTokenSource(TimeSpan.FromTicks(Math.Max(0, (ticket.Deadline - time.GetUtcNow()).Ticks)), time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(abort, deadline.Token, stopping); // stopping: SIGTERM ends answers at once
        List<string>? excluded = null; // models that failed before the first byte, on a retry
        string? lastError = null;
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var acquired = await scheduler.AcquireAsync(ticket with { ExcludedModels = excluded ?? [], Attempt = attempt }, abort).ConfigureAwait(false);
            if (acquired.Lease is not { } lease)
            {
                await RefuseAsync(http, arrived, acquired.Refusal!, lastError).ConfigureAwait(false);
                return;
            }

            http.Response.Headers["X-Yard-Model"] = lease.Model;
            http.Response.Headers["X-Yard-Task"] = task.Name;
            if (lease.Selection is { } selection)
            {
                http.Response.Headers["X-Yard-Selection"] = HeaderText(selection);
            }

            http.Response.Headers["X-Yard-Queue-Ms"] = lease.QueueTime.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture);
            var started = time.GetTimestamp();
            ForwardReport report;
            try
            {
                report = await ((IServingReplica)lease.Instance).ForwardAsync(call, http, linked.Token).ConfigureAwait(false);
            }
            catch
            {
                scheduler.Release(lease, success: false, serviceTime: null);
                throw;
            }

            if (report.Outcome == ForwardOutcome.Unreachable && !report.Started)
            {
                lastError = report.Error;
                if (report.RetryOnly)
                {
                    scheduler.Release(lease, success: false, serviceTime: null);
                }
                else
                {
                    scheduler.ReportUnreachable(lease, report.Error ?? "unreachable");
                }

                if (task.Models.Count > 1)
                {
                    (excluded ??= []).Add(lease.Model);
                }

                continue;
            }

            if (report.Outcome == ForwardOutcome.TimedOut && stopping.IsCancellationRequested && !deadline.IsCancellationRequested)
            {
                report = report with { Outcome = ForwardOutcome.Failed };
                await EndAsync(http, call, 503, "the server is shutting down", "shutting_down", abort).ConfigureAwait(false);
            }
            else if (report.Outcome == ForwardOutcome.TimedOut)
            {
                await EndAsync(http, call, 504, $"the deadline passed while model '{lease.Model}' was answering", "deadline_exceeded", abort).ConfigureAwait(false);
            }

            var completed = report.Outcome == ForwardOutcome.Completed;
            // The answer's own token count (from the backend's usage; none when it gave none) teaches the model's token rates.
            var usage = report.PromptTokens > 0 || report.CompletionTokens > 0 ? report.CompletionTokens : (int?)null;
            // An embedding generates nothing: its time would teach the model's generation rates wrong.
            scheduler.Release(lease, completed, completed && !call.Embeddings ? time.GetElapsedTime(started) : null, call.Embeddings ? null : usage);
            Record(arrived, lease.Model, Outcome(report.Outcome), lease.QueueTime, report.FirstTokenTimestamp, report.PromptTokens, report.CompletionTokens, Reason(report.Outcome));
            return;
        }

        Record(arrived, null, RequestOutcome.Failed, null, null, 0, 0, RefusalReasons.BackendUnavailable);
        if (!http.Response.HasStarted)
        {
            await new OpenAiError(502, $"every attempt failed; last: {lastError}", "server_error", Code: "backend_unavailable").WriteAsync(http.Response, abort).ConfigureAwait(false);
        }
    }

    /// <summary>A header value: printable ASCII only (a model name is ASCII; anything else becomes '?').</summary>
    private static string HeaderText(string text) => string.Create(text.Length, text, (span, t) =>
    {
        for (var i = 0; i < t.Length; i++)
        {
            span[i] = t[i] is >= ' ' and <= '~' ? t[i] : '?';
        }
    });

    /// <summary>
    /// The task the body's <c>model</c> names, with the request's class and deadline after <c>X-Yard-Priority</c> and
    /// <c>X-Yard-Deadline-Ms</c>; null once it has answered the refusal (404 listing what exists, or the header's error,
    /// recorded). Shared by completions and embeddings.
    /// </summary>
    internal async ValueTask<(TaskDefinition Task, PriorityClass Priority, DateTimeOffset Deadline)?> ResolveAsync(HttpContext http, JsonElement root, AccessNote note, string requestId, DateTimeOffset now, long arrival)
    {
        var abort = http.RequestAborted;
        var name = root.GetProperty("model").GetString()!;
        var task = registry.Resolve(name);
        if (task is null)
        {
            (note.Task, note.Code) = (name, "model_not_found");
            var current = registry.Current;
            await new OpenAiError(404, $"model or task '{name}' not found; tasks: {List(current.Tasks.Keys)}; models: {List(current.Models.Keys)}", Param: "model", Code: "model_not_found")
                .WriteAsync(http.Response, abort).ConfigureAwait(false);
            return null;
        }

        var (priority, deadline, headerError) = Tighten(http.Request, task, now);
        if (headerError is not null)
        {
            var outcome = headerError.Code == RefusalReasons.PriorityNotAllowed ? RequestOutcome.Refused : RequestOutcome.Invalid;
            Record(new(task, requestId, now, arrival, null, note), null, outcome, null, null, 0, 0, headerError.Code);
            await headerError.WriteAsync(http.Response, abort).ConfigureAwait(false);
            return null;
        }

        return (task, priority, deadline);
    }

    /// <summary>Applies <c>X-Yard-Priority</c> (may lower the task's class, never raise it: 403) and <c>X-Yard-Deadline-Ms</c> (may shorten the task's deadline, never extend it).</summary>
    internal (PriorityClass Priority, DateTimeOffset Deadline, OpenAiError? Error) Tighten(HttpRequest request, TaskDefinition task, DateTimeOffset now)
    {
        var priority = task.Priority;
        var deadline = now + (task.Latency ?? settings.DefaultDeadline);
        if (request.Headers.TryGetValue("X-Yard-Priority", out var p))
        {
            if (!PriorityClasses.TryParse(p.ToString(), out var asked))
            {
                return (priority, deadline, OpenAiError.BadRequest($"header X-Yard-Priority must be one of {PriorityClasses.Names}, got '{p}'", "X-Yard-Priority"));
            }

            if (asked < task.Priority)
            {
                return (priority, deadline, new OpenAiError(403, $"task '{task.Name}' allows priority {task.Priority.Name()} at most; X-Yard-Priority asked for {asked.Name()}", "permission_error", "X-Yard-Priority", "priority_not_allowed"));
            }

            priority = asked;
        }

        if (request.Headers.TryGetValue("X-Yard-Deadline-Ms", out var d))
        {
            if (!long.TryParse(d.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) || ms < 1)
            {
                return (priority, deadline, OpenAiError.BadRequest($"header X-Yard-Deadline-Ms must be a positive integer of milliseconds, got '{d}'", "X-Yard-Deadline-Ms"));
            }

            var asked = now + TimeSpan.FromMilliseconds(Math.Min(ms, (long)TimeSpan.FromDays(1).TotalMilliseconds));
            deadline = asked < deadline ? asked : deadline;
        }

        return (priority, deadline, null);
    }

    /// <summary>Ends an answer cut short by the server: an error object when nothing was sent yet, else (streams) an error event.</summary>
    private static async Task EndAsync(HttpContext http, ForwardCall call, int status, string message, string code, CancellationToken abort)
    {
        if (!http.Response.HasStarted)
        {
            await new OpenAiError(status, message, "server_error", Code: code).WriteAsync(http.Response, abort).ConfigureAwait(false);
        }
        else if (call.Stream && !abort.IsCancellationRequested)
        {
            await OpenAiForwarder.WriteErrorEventAsync(http.Response, message, abort).ConfigureAwait(false);
        }
    }

    internal void Record(Arrived arrived, string? model, RequestOutcome outcome, TimeSpan? queue, long? firstToken, int prompt, int completion, string? reason)
    {
        var task = arrived.Task;
        var latency = time.GetElapsedTime(arrived.Timestamp);
        TimeSpan? ttft = firstToken is { } f ? time.GetElapsedTime(arrived.Timestamp, f) : null;
        bool? slo = null;
        if (task.Ttft is not null || task.Latency is not null)
        {
            // A request the server refused, let time out or failed is a miss: leaving it out would read 100% while clients wait in vain.
            slo = outcome switch
            {
                RequestOutcome.Completed => (task.Ttft is not { } t || (ttft ?? latency) <= t) && (task.Latency is not { } l || latency <= l),
                RequestOutcome.Refused or RequestOutcome.TimedOut or RequestOutcome.Failed => false,
                _ => null,
            };
        }

        var record = new RequestRecord(task.Name, model, outcome, queue, ttft, latency, prompt, completion, slo)
        {
            RequestId = arrived.RequestId,
            Arrival = arrived.At,
            Priority = arrived.Priority,
            Reason = outcome == RequestOutcome.Completed ? null : reason,
        };
        arrived.Note.Record = record;
        statistics.Record(record);
        Observability.YardTracing.EndRequest(record);
    }

    private static string? Reason(ForwardOutcome outcome) => outcome switch
    {
        ForwardOutcome.TimedOut => RefusalReasons.DeadlineExceeded,
        ForwardOutcome.Failed or ForwardOutcome.Unreachable => RefusalReasons.BackendFailed,
        _ => null,
    };

    private static RequestOutcome Outcome(Refusal refusal) => refusal.Status switch
    {
        499 => RequestOutcome.Cancelled,
        504 => RequestOutcome.TimedOut,
        404 => RequestOutcome.Invalid,
        _ => RequestOutcome.Refused,
    };

    private static RequestOutcome Outcome(ForwardOutcome outcome) => outcome switch
    {
        ForwardOutcome.Completed => RequestOutcome.Completed,
        ForwardOutcome.Invalid => RequestOutcome.Invalid,
        ForwardOutcome.Refused => RequestOutcome.Refused,
        ForwardOutcome.Cancelled => RequestOutcome.Cancelled,
        ForwardOutcome.TimedOut => RequestOutcome.TimedOut,
        _ => RequestOutcome.Failed,
    };

    /// <summary>What is known of a request once its task is resolved: for the statistics and the logs.</summary>
    internal sealed record Arrived(TaskDefinition Task, string RequestId, DateTimeOffset At, long Timestamp, PriorityClass? Priority, AccessNote Note);

    internal static string List(IEnumerable<string> names)
    {
        var all = names.Order(StringComparer.Ordinal).ToList();
        return all.Count == 0 ? "(none)" : string.Join(", ", all);
    }
}
