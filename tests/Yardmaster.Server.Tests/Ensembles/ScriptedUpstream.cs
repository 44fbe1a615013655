using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Yardmaster.Server.Tests.Ensembles;

/// <summary>
/// A real OpenAI-compatible server on a loopback port whose answer is named by the request's <c>model</c>,
/// <c>TEXT-DELAYMS</c>: it waits DELAYMS, then answers TEXT (streamed one character an event when asked, 10 ms apart).
/// TEXT <c>fail</c> answers 400; TEXT <c>echo</c> answers the last message's content. Models point at it with
/// <c>upstream_model</c>.
/// </summary>
public sealed class ScriptedUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _active;

    private ScriptedUpstream(WebApplication app, Uri root)
    {
        _app = app;
        Url = new Uri(root, "v1");
    }

    /// <summary>The OpenAI base URL, ending in <c>/v1</c>.</summary>
    public Uri Url { get; }

    /// <summary>Requests being answered now (a cancelled member's request ends here too).</summary>
    public int Active => Volatile.Read(ref _active);

    public static async Task<ScriptedUpstream> StartAsync()
    {
        ScriptedUpstream? self = null;
        var (app, root) = await LoopbackApp.StartAsync(app =>
        {
            app.MapGet("/v1/models", () => Results.Json(new { @object = "list", data = new[] { new { id = "scripted", @object = "model" } } }));
            app.MapPost("/v1/chat/completions", (HttpContext http) => self!.AnswerAsync(http));
        });
        self = new ScriptedUpstream(app, root);
        return self;
    }

    private async Task AnswerAsync(HttpContext http)
    {
        Interlocked.Increment(ref _active);
        try
        {
            using var document = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            var root = document.RootElement;
            var model = root.GetProperty("model").GetString()!;
            var dash = model.LastIndexOf('-');
            var (text, delay) = (model[..dash], int.Parse(model[(dash + 1)..], CultureInfo.InvariantCulture));
            await Task.Delay(delay, http.RequestAborted);
            if (text == "fail")
            {
                http.Response.StatusCode = 400;
                await http.Response.WriteAsJsonAsync(new { error = new { message = "scripted failure", type = "invalid_request_error" } }, http.RequestAborted);
                return;
            }

            if (text == "echo")
            {
                var messages = root.GetProperty("messages");
                text = messages[messages.GetArrayLength() - 1].GetProperty("content").GetString()!;
            }

            var id = "chatcmpl-" + Guid.NewGuid().ToString("N");
            if (root.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True)
            {
                http.Response.ContentType = "text/event-stream";
                foreach (var c in text)
                {
                    var chunk = JsonSerializer.Serialize(new { id, @object = "chat.completion.chunk", created = 1, model, choices = new[] { new { index = 0, delta = new { content = c.ToString() }, finish_reason = (string?)null } } });
                    await http.Response.WriteAsync($"data: {chunk}\n\n", http.RequestAborted);
                    await http.Response.Body.FlushAsync(http.RequestAborted);
                    await Task.Delay(10, http.RequestAborted);
                }

                var end = JsonSerializer.Serialize(new { id, @object = "chat.completion.chunk", created = 1, model, choices = new[] { new { index = 0, delta = new { }, finish_reason = "stop" } } });
                await http.Response.WriteAsync($"data: {end}\n\ndata: [DONE]\n\n", http.RequestAborted);
                return;
            }

            await http.Response.WriteAsJsonAsync(
                new
                {
                    id, @object = "chat.completion", created = 1, model,
                    choices = new[] { new { index = 0, message = new { role = "assistant", content = text }, finish_reason = "stop" } },
                    usage = new { prompt_tokens = 3, completion_tokens = 1, total_tokens = 4 },
                },
                http.RequestAborted);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await _app.StopAsync(quick.Token);
        await _app.DisposeAsync();
    }
}
