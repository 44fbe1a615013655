using System.Globalization;
using System.Text.Json;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Statistics;
using Yardmaster.Runtime.Serving;
using Yardmaster.Server.Backends;
using Yardmaster.Server.ModelServer;

namespace Yardmaster.Server.Gateway;

/// <summary>
/// <c>POST /v1/embeddings</c>: reads and checks the body (the input's shape, count and size), resolves the task
/// or model, applies the priority and deadline headers, and serves it through <paramref name="completions"/>'s
/// steps: one slot from the scheduler (queued, prioritised and shed with every other request; its cost and
/// predicted service from its input tokens, nothing generated), the replica's <c>/v1/embeddings</c>, the
/// statistics and the access line. Thread-safe.
/// </summary>
internal sealed class EmbeddingGateway(CompletionGateway completions, ServerSettings server, TimeProvider time)
{
    public async Task HandleAsync(HttpContext http)
    {
        var arrival = time.GetTimestamp();
        var requestId = RequestIds.Assign(http);
        var note = new CompletionGateway.AccessNote();
        var threw = true;
        try
        {
            await HandleAsync(http, arrival, requestId, note).ConfigureAwait(false);
            threw = false;
        }
        finally
        {
            completions.WriteAccess(http, requestId, arrival, note, threw);
        }
    }

    private async Task HandleAsync(HttpContext http, long arrival, string requestId, CompletionGateway.AccessNote note)
    {
        var now = time.GetUtcNow();
        var abort = http.RequestAborted;
        using var span = Observability.YardTracing.StartRequest(requestId);
        var (body, document, readError) = await completions.ReadAsync(http, Check).ConfigureAwait(false);
        if (document is null)
        {
            note.Code = readError!.Code ?? readError.Type;
            await readError.WriteAsync(http.Response, abort).ConfigureAwait(false);
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            if (await completions.ResolveAsync(http, root, note, requestId, now, arrival).ConfigureAwait(false) is not { } resolved)
            {
                return;
            }

            var (task, priority, deadline) = resolved;
            var arrived = new CompletionGateway.Arrived(task, requestId, now, arrival, priority, note);
            if (task.Ensemble is not null)
            {
                completions.Record(arrived, null, RequestOutcome.Invalid, null, null, 0, 0, "invalid_request");
                await OpenAiError.BadRequest($"task '{task.Name}' is an ensemble, which combines generated answers; ask /v1/embeddings of a model or of a task of models", "model")
                    .WriteAsync(http.Response, abort).ConfigureAwait(false);
                return;
            }

            var tokens = PromptTokens.Input(root.GetProperty("input"));
            var ticket = new RequestTicket
            {
                RequestId = requestId, Task = task, Priority = priority, Deadline = deadline, Arrival = now,
                Cost = Math.Max(1, tokens), PromptTokens = tokens, MaxTokens = 0, Embedding = true,
            };
            var call = new ForwardCall(body!, root, Chat: false, Stream: false) { Embeddings = true, Priority = priority };
            // An embedding depends on its input alone: with the task's cache: it is always kept.
            await completions.ServeCachedAsync(http, arrived, root, "embeddings", deterministic: true, (Gateway: completions, Http: http, Arrived: arrived, Ticket: ticket, Call: call),
                static s => s.Gateway.ServeAsync(s.Http, s.Arrived, s.Ticket, s.Call)).ConfigureAwait(false);
        }
    }

    /// <summary>What the gateway checks before any backend sees the request: the shape of every field (the backend checks the rest against its model).</summary>
    private OpenAiError? Check(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return OpenAiError.BadRequest($"the request body must be a JSON object, got {JsonKinds.Shown(root)}");
        }

        if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String || model.GetString()!.Length == 0)
        {
            return OpenAiError.BadRequest("'model' is required: the name of a task or a model (see GET /v1/models)", "model");
        }

        var (_, error) = EmbeddingsParser.Parse(root);
        if (error is not null)
        {
            return error;
        }

        var chars = root.GetProperty("input").GetRawText().Length;
        return chars > server.MaxPromptChars
            ? new OpenAiError(413, string.Create(CultureInfo.InvariantCulture, $"the input is {chars} characters, more than the limit of {server.MaxPromptChars} (server.max_prompt_chars)"), Param: "input", Code: "prompt_too_large")
            : null;
    }
}
