using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace Yardmaster.Server.Backends;

/// <summary>
/// Sends OpenAI requests to an OpenAI-compatible endpoint (a child model server or a remote one) and
/// streams the answer back unchanged, byte for byte, flushing each chunk of a stream as it arrives.
/// </summary>
internal sealed class OpenAiForwarder(HttpClient client, Uri baseUrl, string? apiKey, string? upstreamModel, TimeProvider time)
{
    private const int MaxErrorBody = 64 * 1024;
    private static readonly byte[] _done = "data: [DONE]\n\n"u8.ToArray();

    private readonly Uri _chat = new(baseUrl, "chat/completions");
    private readonly Uri _completions = new(baseUrl, "completions");
    private readonly Uri _embeddings = new(baseUrl, "embeddings");

    /// <summary>Sends each request's class as <c>X-Yard-Priority</c> (to servers this machine runs: child and cluster model servers, not remote endpoints).</summary>
    public bool SendsPriority { get; init; }

    public async Task<ForwardReport> ForwardAsync(ForwardCall call, HttpContext http, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, call.Embeddings ? _embeddings : call.Chat ? _chat : _completions);
        request.Content = new ByteArrayContent(upstreamModel is null ? call.Body : WithModel(call.Root, upstreamModel));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (apiKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        if (SendsPriority)
        {
            request.Headers.TryAddWithoutValidation(ModelServer.PriorityHeader.Name, Core.PriorityClasses.Name(call.Priority));
        }

        HttpResponseMessage upstream;
        try
        {
            upstream = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            return new ForwardReport(ForwardOutcome.Unreachable, false, 0, 0, null, $"{baseUrl} unreachable: {e.Message}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Ended(http);
        }

        using (upstream)
        {
            var status = (int)upstream.StatusCode;
            if (call.Embeddings && status is 404 or 405 or 501)
            {
                return await NoEmbeddingsAsync(upstream, http.Response, status, cancellationToken).ConfigureAwait(false);
            }

            if (status >= 500 && status != 503)
            {
                var text = await ReadErrorAsync(upstream, cancellationToken).ConfigureAwait(false);
                return new ForwardReport(ForwardOutcome.Unreachable, false, 0, 0, null, $"{baseUrl} answered {status}: {text}") { RetryOnly = true };
            }

            var response = http.Response;
            response.StatusCode = status;
            response.ContentType = upstream.Content.Headers.ContentType?.ToString();
            if (upstream.Headers.RetryAfter is { } retry)
            {
                response.Headers.RetryAfter = retry.ToString();
            }

            try
            {
                return status >= 400
                    ? await CopyErrorAsync(upstream, response, status, cancellationToken).ConfigureAwait(false)
                    : await CopyAsync(upstream, http, call, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return Ended(http);
            }
        }
    }

    private static async Task<ForwardReport> CopyErrorAsync(HttpResponseMessage upstream, HttpResponse response, int status, CancellationToken cancellationToken)
    {
        var body = await upstream.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        await response.Body.WriteAsync(body, cancellationToken).ConfigureAwait(false);
        var outcome = status is 429 or 503 ? ForwardOutcome.Refused : ForwardOutcome.Invalid;
        return new ForwardReport(outcome, true, 0, 0, null);
    }

    private async Task<ForwardReport> CopyAsync(HttpResponseMessage upstream, HttpContext http, ForwardCall call, CancellationToken cancellationToken)
    {
        var (response, stream) = (http.Response, call.Stream);
        if (stream)
        {
            response.Headers.CacheControl = "no-cache";
            http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        }

        var source = await upstream.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
            long? first = null;
            var events = 0;
            int prompt = 0, completion = -1;
            var started = false;
            var tail = new UsageTail();
            try
            {
                while (true)
                {
                    int read;
                    try
                    {
                        read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is IOException or HttpRequestException)
                    {
                        if (!started)
                        {
                            return new ForwardReport(ForwardOutcome.Unreachable, false, 0, 0, null, $"{baseUrl} broke the connection: {e.Message}");
                        }

                        await WriteErrorEventAsync(response, $"the model backend failed mid-stream: {e.Message}", cancellationToken).ConfigureAwait(false);
                        return new ForwardReport(ForwardOutcome.Failed, true, prompt, Math.Max(0, completion), first, e.Message);
                    }

                    if (read == 0)
                    {
                        break;
                    }

                    var chunk = buffer.AsSpan(0, read);
                    first ??= time.GetTimestamp();
                    if (stream)
                    {
                        events += UsageScanner.CountEvents(chunk);
                    }

                    if (UsageScanner.TryFind(chunk, out var p, out var c))
                    {
                        (prompt, completion) = (p, c);
                    }
                    else if (call.Embeddings && tail.Find(chunk) is { } embedded)
                    {
                        (prompt, completion) = (embedded, 0); // an embedding's usage has no completion tokens
                    }

                    started = true;
                    await response.Body.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    if (stream)
                    {
                        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            // Without a usage chunk, each content event is about one token (the role and finish events are not).
            completion = completion >= 0 ? completion : Math.Max(0, events - 2);
            return new ForwardReport(ForwardOutcome.Completed, true, prompt, completion, first);
        }
    }

    /// <summary>The backend does not serve <c>/v1/embeddings</c> (404, 405; llama-server without <c>--embeddings</c> answers 501): say so plainly.</summary>
    private async Task<ForwardReport> NoEmbeddingsAsync(HttpResponseMessage upstream, HttpResponse response, int status, CancellationToken cancellationToken)
    {
        var text = await ReadErrorAsync(upstream, cancellationToken).ConfigureAwait(false);
        var excerpt = text.Length > 300 ? text[..300] + "…" : text;
        var message = $"the model does not serve embeddings: its backend at {baseUrl} answered {status} to POST {_embeddings.AbsolutePath}{(excerpt.Length > 0 ? ": " + excerpt : string.Empty)}";
        await new ModelServer.OpenAiError(status == 501 ? 501 : 400, message, Param: "model", Code: "embeddings_not_supported").WriteAsync(response, cancellationToken).ConfigureAwait(false);
        return new ForwardReport(ForwardOutcome.Invalid, true, 0, 0, null, message);
    }

    private static ForwardReport Ended(HttpContext http) =>
        new(http.RequestAborted.IsCancellationRequested ? ForwardOutcome.Cancelled : ForwardOutcome.TimedOut, http.Response.HasStarted, 0, 0, null);

    /// <summary>Ends a stream that already started with an error event in OpenAI's error shape, then <c>[DONE]</c>.</summary>
    public static async Task WriteErrorEventAsync(HttpResponse response, string message, CancellationToken cancellationToken)
    {
        var error = JsonSerializer.SerializeToUtf8Bytes(new { error = new { message, type = "server_error", code = "backend_failed" } }, Core.ReadableJson.Serializer);
        await response.Body.WriteAsync("\n\ndata: "u8.ToArray(), cancellationToken).ConfigureAwait(false);
        await response.Body.WriteAsync(error, cancellationToken).ConfigureAwait(false);
        await response.Body.WriteAsync("\n\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        await response.Body.WriteAsync(_done, cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<string> ReadErrorAsync(HttpResponseMessage upstream, CancellationToken cancellationToken)
    {
        var bytes = await upstream.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return System.Text.Encoding.UTF8.GetString(bytes.AsSpan(0, Math.Min(bytes.Length, MaxErrorBody)));
    }

    private static byte[] WithModel(JsonElement root, string model)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer, Core.ReadableJson.Writer))
        {
            json.WriteStartObject();
            json.WriteString("model", model);
            foreach (var property in root.EnumerateObject())
            {
                if (!property.NameEquals("model"u8))
                {
                    property.WriteTo(json);
                }
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The connection pool every upstream shares: no proxy, cookies, redirects or trace headers; no overall timeout (deadlines cancel); short connect timeout.</summary>
    public static HttpClient CreateClient() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        UseCookies = false, // a proxy passes requests on; it keeps no cookie jar of its own
        AllowAutoRedirect = false,
        ActivityHeadersPropagator = null,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        MaxConnectionsPerServer = int.MaxValue,
        EnableMultipleHttp2Connections = true,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };
}
