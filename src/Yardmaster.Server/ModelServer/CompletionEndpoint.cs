using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Yardmaster.Inference.Engine;

namespace Yardmaster.Server.ModelServer;

/// <summary>
/// <c>POST /v1/completions</c> and <c>POST /v1/chat/completions</c>: validates, tokenizes, submits to the
/// engine with the request's abort token (a client that goes away frees its slot at once) and answers
/// in one body or as server-sent events.
/// </summary>
internal sealed partial class CompletionEndpoint(ServedModel model, TimeProvider time)
{
    private static readonly byte[] _done = "data: [DONE]\n\n"u8.ToArray();

    public async Task HandleAsync(HttpContext http, bool chat)
    {
        var (request, error) = await ReadAsync(http, chat).ConfigureAwait(false);
        var (priority, badPriority) = PriorityHeader.Read(http.Request);
        if (request is null || badPriority is not null)
        {
            await (error ?? badPriority)!.WriteAsync(http.Response, http.RequestAborted).ConfigureAwait(false);
            return;
        }

        await ServeAsync(http, request with { Priority = priority }, http.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// Serves a validated request: submits it to the engine (refusals become OpenAI errors) and writes the
    /// answer in one body or as server-sent events. Cancelling <paramref name="abort"/> (the client went
    /// away, or a deadline passed) ends the generation and frees its slot. Returns what happened.
    /// </summary>
    public async Task<CompletionReport> ServeAsync(HttpContext http, CompletionRequest request, CancellationToken abort)
    {
        var (generation, refusal) = Submit(request, abort);
        if (generation is null)
        {
            await refusal!.WriteAsync(http.Response, abort).ConfigureAwait(false);
            return new CompletionReport(refusal.Status == 400 ? CompletionOutcome.Invalid : CompletionOutcome.Refused, 0, 0, null);
        }

        var context = new CompletionContext(
            (request.Chat ? "chatcmpl-" : "cmpl-") + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
            time.GetUtcNow().ToUnixTimeSeconds(), model.Name, request.Chat, request.IncludeUsage);
        http.Response.Headers["X-Yard-Model"] = model.Name;
        var report = new ReportBuilder(time);
        try
        {
            if (request.Stream)
            {
                await StreamAsync(http, context, generation, request.Echo ? request.Prompt : null, report, abort).ConfigureAwait(false);
            }
            else
            {
                await RespondAsync(http, context, generation, request.Echo ? request.Prompt : null, report, abort).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            // The client went away (or the deadline passed); the engine saw the same token and freed the slot.
            report.Outcome = CompletionOutcome.Cancelled;
        }

        return report.Build();
    }

    private async Task<(CompletionRequest?, OpenAiError?)> ReadAsync(HttpContext http, bool chat)
    {
        var body = await JsonBody.ReadAsync(http.Request, http.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            var limit = http.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
            return (null, new OpenAiError(413, $"the request body is larger than the limit of {limit} bytes (--max-body)", Code: "request_too_large"));
        }

        var (document, invalid) = JsonBody.Parse(body);
        if (document is null)
        {
            return (null, OpenAiError.BadRequest(invalid!.Message, invalid.Field));
        }

        using (document)
        {
            var (request, error) = RequestParser.Parse(document.RootElement, chat);
            if (request?.Model is { } name && !string.Equals(name, model.Name, StringComparison.Ordinal))
            {
                return (null, new OpenAiError(404, $"model '{name}' not found; this server serves '{model.Name}'", Param: "model", Code: "model_not_found"));
            }

            return (request, error);
        }
    }

    private (Generation?, OpenAiError?) Submit(CompletionRequest request, CancellationToken abort)
    {
        var engine = model.Engine;
        var stops = request.Stop;

        // One token must remain for the answer; tokenizing stops once the prompt is known to pass that, so a
        // prompt of megabytes is refused after reading about a context's worth of it.
        var fits = engine.ContextLength - 1;
        int[]? prompt;
        if (request.Chat)
        {
            var text = model.Template.Render(request.Messages);
            var bos = model.Tokenizer.BosId >= 0 ? model.Tokenizer.TokenText(model.Tokenizer.BosId) : null;
            var addBos = model.Tokenizer.AddBos && !(bos is { Length: > 0 } && text.StartsWith(bos, StringComparison.Ordinal));
            prompt = model.Tokenizer.EncodeAtMost(text, addBos, model.Template.ParseSpecial, fits);
            stops = [.. stops, .. model.Template.Stops];
        }
        else
        {
            prompt = request.PromptTokens ?? model.Tokenizer.EncodeAtMost(request.Prompt!, model.Tokenizer.AddBos, parseSpecial: true, fits);
        }

        if (prompt is null)
        {
            return (null, OpenAiError.BadRequest(
                $"the prompt is more than {fits} tokens but the context is {engine.ContextLength} tokens (at least one must remain for the answer)",
                request.Chat ? "messages" : "prompt", "context_length_exceeded"));
        }

        var maxTokens = request.MaxTokens ?? (engine.ContextLength - prompt.Length);
        if (request.MaxTokens > engine.ContextLength)
        {
            return (null, OpenAiError.BadRequest(
                $"'max_tokens' is {request.MaxTokens} but the context length is {engine.ContextLength} tokens", "max_tokens", "context_length_exceeded"));
        }

        var generation = new GenerationRequest(prompt, request.Sampling, Math.Max(1, maxTokens), stops) { IgnoreEndOfGeneration = request.IgnoreEos, Priority = request.Priority };
        var result = engine.Submit(generation, abort);
        return result.Refusal switch
        {
            SubmitRefusal.None => (result.Generation, null),
            SubmitRefusal.QueueFull => (null, new OpenAiError(429, result.Message!, "rate_limit_error", Code: "queue_full") { RetryAfter = result.RetryAfter }),
            SubmitRefusal.PromptTooLong => (null, OpenAiError.BadRequest(result.Message!, request.Chat ? "messages" : "prompt", "context_length_exceeded")),
            SubmitRefusal.ShuttingDown => (null, new OpenAiError(503, result.Message!, "server_error", Code: "shutting_down")),
            _ => (null, OpenAiError.BadRequest(result.Message!, request.Chat ? "messages" : "prompt")),
        };
    }

    private static async Task RespondAsync(HttpContext http, CompletionContext context, Generation generation, string? echo, ReportBuilder report, CancellationToken abort)
    {
        var text = new StringBuilder(echo);
        await foreach (var e in generation.Events.ReadAllAsync(abort).ConfigureAwait(false))
        {
            switch (e)
            {
                case GenerationText t:
                    report.FirstToken();
                    text.Append(t.Text);
                    break;
                case GenerationFinished { Reason: FinishReason.Error } f:
                    report.Finish(f, CompletionOutcome.Failed);
                    await new OpenAiError(500, $"generation failed: {f.Error}", "server_error").WriteAsync(http.Response, abort).ConfigureAwait(false);
                    return;
                case GenerationFinished { Reason: FinishReason.Cancelled } f:
                    report.Finish(f, CompletionOutcome.Cancelled);
                    return;
                case GenerationFinished f:
                    report.FirstToken();
                    report.Finish(f, CompletionOutcome.Completed);
                    http.Response.ContentType = "application/json";
                    await http.Response.Body.WriteAsync(CompletionJson.Response(context, text.ToString(), f), abort).ConfigureAwait(false);
                    return;
            }
        }
    }

    private static async Task StreamAsync(HttpContext http, CompletionContext context, Generation generation, string? echo, ReportBuilder report, CancellationToken abort)
    {
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await response.StartAsync(abort).ConfigureAwait(false);
        await response.Body.FlushAsync(abort).ConfigureAwait(false); // headers now, even while queued
        if (context.Chat)
        {
            await SendAsync(response, CompletionJson.Chunk(context, null, null, roleOnly: true), abort).ConfigureAwait(false);
        }
        else if (!string.IsNullOrEmpty(echo))
        {
            await SendAsync(response, CompletionJson.Chunk(context, echo, null), abort).ConfigureAwait(false);
        }

        await foreach (var e in generation.Events.ReadAllAsync(abort).ConfigureAwait(false))
        {
            switch (e)
            {
                case GenerationText t:
                    report.FirstToken();
                    await SendAsync(response, CompletionJson.Chunk(context, t.Text, null), abort).ConfigureAwait(false);
                    break;
                case GenerationFinished { Reason: FinishReason.Cancelled } f:
                    report.Finish(f, CompletionOutcome.Cancelled);
                    return;
                case GenerationFinished { Reason: FinishReason.Error } f:
                    report.Finish(f, CompletionOutcome.Failed);
                    var error = JsonSerializer.SerializeToUtf8Bytes(new { error = new { message = $"generation failed: {f.Error}", type = "server_error" } }, Core.ReadableJson.Serializer);
                    await SendAsync(response, error, abort).ConfigureAwait(false);
                    await response.Body.WriteAsync(_done, abort).ConfigureAwait(false);
                    return;
                case GenerationFinished f:
                    report.FirstToken();
                    report.Finish(f, CompletionOutcome.Completed);
                    await SendAsync(response, CompletionJson.Chunk(context, null, f.Reason), abort).ConfigureAwait(false);
                    if (context.IncludeUsage)
                    {
                        await SendAsync(response, CompletionJson.UsageChunk(context, f), abort).ConfigureAwait(false);
                    }

                    await response.Body.WriteAsync(_done, abort).ConfigureAwait(false);
                    await response.Body.FlushAsync(abort).ConfigureAwait(false);
                    return;
            }
        }
    }

    private static async Task SendAsync(HttpResponse response, byte[] json, CancellationToken abort)
    {
        await response.Body.WriteAsync("data: "u8.ToArray(), abort).ConfigureAwait(false);
        await response.Body.WriteAsync(json, abort).ConfigureAwait(false);
        await response.Body.WriteAsync("\n\n"u8.ToArray(), abort).ConfigureAwait(false);
        await response.Body.FlushAsync(abort).ConfigureAwait(false);
    }
}
