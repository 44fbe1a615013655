using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Yardmaster.Inference.Engine;

namespace Yardmaster.Server.ModelServer;

/// <summary>
/// <c>POST /v1/embeddings</c>: validates, tokenizes each input, computes the vectors in the engine (one
/// request, one slot, its inputs batched together) with the request's abort token, and answers in OpenAI's
/// <c>CreateEmbeddingResponse</c> shape, vectors as float arrays or base64 of little-endian float32.
/// </summary>
internal sealed class EmbeddingsEndpoint(ServedModel model, TimeProvider time)
{
    public async Task HandleAsync(HttpContext http)
    {
        var abort = http.RequestAborted;
        var body = await JsonBody.ReadAsync(http.Request, abort).ConfigureAwait(false);
        if (body is null)
        {
            var limit = http.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
            await new OpenAiError(413, $"the request body is larger than the limit of {limit} bytes (--max-body)", Code: "request_too_large").WriteAsync(http.Response, abort).ConfigureAwait(false);
            return;
        }

        var (document, invalid) = JsonBody.Parse(body);
        if (document is null)
        {
            await OpenAiError.BadRequest(invalid!.Message, invalid.Field).WriteAsync(http.Response, abort).ConfigureAwait(false);
            return;
        }

        using (document)
        {
            var (request, error) = EmbeddingsParser.Parse(document.RootElement);
            if (request?.Model is { } name && !string.Equals(name, model.Name, StringComparison.Ordinal))
            {
                error = new OpenAiError(404, $"model '{name}' not found; this server serves '{model.Name}'", Param: "model", Code: "model_not_found");
            }

            var (priority, badPriority) = PriorityHeader.Read(http.Request);
            if ((error ?? badPriority) is { } refused)
            {
                await refused.WriteAsync(http.Response, abort).ConfigureAwait(false);
                return;
            }

            await ServeAsync(http, request! with { Priority = priority }, abort).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Serves a parsed request: checks it against the model (width, context, vocabulary), computes and writes
    /// the answer. Refusals become OpenAI errors; cancelling <paramref name="abort"/> (client gone, deadline)
    /// frees the slot and writes nothing. Returns what happened (no completion tokens).
    /// </summary>
    public async Task<CompletionReport> ServeAsync(HttpContext http, EmbeddingsRequest request, CancellationToken abort)
    {
        var (inputs, refusal) = Tokenize(request);
        EmbeddingResult? result = null;
        if (refusal is null)
        {
            result = await model.Engine.EmbedAsync(new EmbeddingRequest(inputs!) { Priority = request.Priority }, abort).ConfigureAwait(false);
            refusal = Refusal(result);
        }

        if (refusal is not null)
        {
            await refusal.WriteAsync(http.Response, abort).ConfigureAwait(false);
            return new CompletionReport(refusal.Status == 400 ? CompletionOutcome.Invalid : CompletionOutcome.Refused, 0, 0, null);
        }

        switch (result!.Finish)
        {
            case FinishReason.Cancelled:
                return new CompletionReport(CompletionOutcome.Cancelled, result.PromptTokens, 0, null);
            case FinishReason.Error:
                await new OpenAiError(500, $"the embedding failed: {result.Message}", "server_error").WriteAsync(http.Response, abort).ConfigureAwait(false);
                return new CompletionReport(CompletionOutcome.Failed, result.PromptTokens, 0, null);
        }

        var first = time.GetTimestamp();
        http.Response.Headers["X-Yard-Model"] = model.Name;
        http.Response.ContentType = "application/json";
        try
        {
            await WriteAsync(http.Response, request.Base64, result, abort).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            return new CompletionReport(CompletionOutcome.Cancelled, result.PromptTokens, 0, first);
        }

        return new CompletionReport(CompletionOutcome.Completed, result.PromptTokens, 0, first);
    }

    private (int[][]? Inputs, OpenAiError? Error) Tokenize(EmbeddingsRequest request)
    {
        var width = model.Engine.Model.Config.Dim;
        if (request.Dimensions is { } asked && asked != width)
        {
            return (null, OpenAiError.BadRequest(
                string.Create(CultureInfo.InvariantCulture, $"'dimensions' is {asked} but model '{model.Name}' gives embeddings of {width} dimensions and cannot shorten them; leave 'dimensions' out or set it to {width}"),
                "dimensions"));
        }

        var context = model.Engine.ContextLength;
        var vocabulary = model.Engine.Model.Config.VocabularySize;
        var inputs = new int[request.Inputs.Count][];
        for (var i = 0; i < inputs.Length; i++)
        {
            var input = request.Inputs[i];
            var param = request.Param(i);
            var tokens = input.Tokens ?? model.Tokenizer.EncodeAtMost(input.Text!, model.Tokenizer.AddBos, parseSpecial: true, context);
            if (tokens is null || tokens.Length > context)
            {
                var size = tokens is null ? "more than " + context.ToString(CultureInfo.InvariantCulture) : tokens.Length.ToString(CultureInfo.InvariantCulture);
                return (null, OpenAiError.BadRequest(
                    $"'{param}' is {size} tokens but the context of model '{model.Name}' is {context.ToString(CultureInfo.InvariantCulture)} tokens; shorten or split it", param, "context_length_exceeded"));
            }

            if (tokens.Length == 0)
            {
                return (null, OpenAiError.BadRequest($"'{param}' makes no tokens", param));
            }

            if (Array.FindIndex(tokens, t => t >= vocabulary) is var bad and >= 0)
            {
                return (null, OpenAiError.BadRequest(
                    string.Create(CultureInfo.InvariantCulture, $"'{param}' has token id {tokens[bad]} at {bad}, outside the vocabulary of model '{model.Name}' (0..{vocabulary - 1})"), param));
            }

            inputs[i] = tokens;
        }

        return (inputs, null);
    }

    private static OpenAiError? Refusal(EmbeddingResult result) => result.Refusal switch
    {
        SubmitRefusal.None => null,
        SubmitRefusal.QueueFull => new OpenAiError(429, result.Message!, "rate_limit_error", Code: "queue_full") { RetryAfter = result.RetryAfter },
        SubmitRefusal.ShuttingDown => new OpenAiError(503, result.Message!, "server_error", Code: "shutting_down"),
        _ => OpenAiError.BadRequest(result.Message!, "input"),
    };

    private async Task WriteAsync(HttpResponse response, bool base64, EmbeddingResult result, CancellationToken abort)
    {
        await using var json = new Utf8JsonWriter(response.Body, Core.ReadableJson.Writer);
        json.WriteStartObject();
        json.WriteString("object", "list");
        json.WriteStartArray("data");
        var vectors = result.Vectors!;
        for (var i = 0; i < vectors.Count; i++)
        {
            json.WriteStartObject();
            json.WriteString("object", "embedding");
            json.WriteNumber("index", i);
            if (base64)
            {
                // Little-endian float32, as OpenAI sends them (and .NET runs little-endian only here).
                json.WriteBase64String("embedding", MemoryMarshal.AsBytes(vectors[i].AsSpan()));
            }
            else
            {
                json.WriteStartArray("embedding");
                foreach (var v in vectors[i])
                {
                    json.WriteNumberValue(v);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
            if (json.BytesPending > 64 * 1024)
            {
                await json.FlushAsync(abort).ConfigureAwait(false);
            }
        }

        json.WriteEndArray();
        json.WriteString("model", model.Name);
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", result.PromptTokens);
        json.WriteNumber("total_tokens", result.PromptTokens);
        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(abort).ConfigureAwait(false);
    }
}
