using System.Text.Json;
using Microsoft.Extensions.Primitives;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Statistics;
using Yardmaster.Server.Caching;

namespace Yardmaster.Server.Gateway;

/// <summary>
/// The result cache on the request path: a hit is answered here without a slot or a backend; a miss (or a
/// <c>Cache-Control: no-cache</c> refresh) keeps a copy of the answer as it is sent and stores it when it completed.
/// Every answer of a task with <c>cache:</c> says what happened in <c>X-Yard-Cache</c> (hit, miss or bypass).
/// </summary>
internal sealed partial class CompletionGateway
{
    /// <summary>
    /// Serves the request through the task's result cache when it has one: a hit answered at once, else
    /// <paramref name="serve"/> (called with <paramref name="state"/>: no closure per request), its answer kept when it completed. <paramref name="endpoint"/> (chat, completions,
    /// embeddings) is part of the key; <paramref name="deterministic"/> says whether the answer depends on the request alone
    /// (an embedding always does; a generation with temperature 0 or a seed).
    /// </summary>
    internal async Task ServeCachedAsync<TState>(HttpContext http, Arrived arrived, JsonElement root, string endpoint, bool deterministic, TState state, Func<TState, Task> serve)
    {
        var (answered, storeKey) = await TryCachedAsync(http, arrived, root, endpoint, deterministic).ConfigureAwait(false);
        if (answered)
        {
            return;
        }

        var original = http.Response.Body;
        var capture = Capture(http, arrived.Task, storeKey);
        try
        {
            await serve(state).ConfigureAwait(false);
        }
        finally
        {
            Keep(http, arrived.Task, storeKey, capture, arrived.Note, original);
        }
    }

    /// <summary>Answers from the cache when it can; else returns the key to store the answer under (null: do not store).</summary>
    private async ValueTask<(bool Answered, CacheKey? StoreKey)> TryCachedAsync(HttpContext http, Arrived arrived, JsonElement root, string endpoint, bool deterministic)
    {
        var task = arrived.Task;
        if (task.Cache is null)
        {
            return (false, null);
        }

        var cache = results.For(task);
        if (!deterministic)
        {
            cache.CountBypass();
            http.Response.Headers["X-Yard-Cache"] = "bypass";
            return (false, null);
        }

        var key = Caching.RequestKey.Compute(Scope(task), endpoint, Tenant(http.Request), root);
        if (Directive(http.Request.Headers.CacheControl) is { } directive)
        {
            // no-cache: a refresh, answered by a model, whose answer replaces the stored one; no-store: nothing kept.
            cache.CountBypass();
            http.Response.Headers["X-Yard-Cache"] = "bypass";
            return (false, directive == "no-cache" ? key : null);
        }

        if (cache.Get(key) is not { } answer)
        {
            http.Response.Headers["X-Yard-Cache"] = "miss";
            return (false, key);
        }

        var response = http.Response;
        arrived.Note.Decision = "answered from the result cache";
        response.Headers["X-Yard-Cache"] = "hit";
        response.Headers["X-Yard-Task"] = task.Name;
        if (answer.Model is not null)
        {
            response.Headers["X-Yard-Model"] = answer.Model;
        }

        response.StatusCode = 200;
        response.ContentType = answer.ContentType;
        response.ContentLength = answer.Body.Length;
        Record(arrived, null, RequestOutcome.Completed, TimeSpan.Zero, time.GetTimestamp(), answer.PromptTokens, answer.CompletionTokens, null);
        await response.Body.WriteAsync(answer.Body, http.RequestAborted).ConfigureAwait(false);
        return (true, null);
    }

    /// <summary>Starts keeping a copy of the answer; null when nothing is to be stored.</summary>
    private static CaptureStream? Capture(HttpContext http, TaskDefinition task, CacheKey? storeKey)
    {
        if (storeKey is null || task.Cache is not { } settings)
        {
            return null;
        }

        var capture = new CaptureStream(http.Response.Body, settings.MaxBytes);
        http.Response.Body = capture;
        return capture;
    }

    /// <summary>Puts the response body back and stores the copy when the answer was complete and successful.</summary>
    private void Keep(HttpContext http, TaskDefinition task, CacheKey? storeKey, CaptureStream? capture, AccessNote note, Stream original)
    {
        if (capture is null || storeKey is null)
        {
            return;
        }

        http.Response.Body = original;
        using (capture)
        {
            if (note.Record is { Outcome: RequestOutcome.Completed } record && http.Response.StatusCode == 200 && !capture.Overflowed && !http.RequestAborted.IsCancellationRequested)
            {
                results.For(task).Set(storeKey, new CachedAnswer(http.Response.ContentType, record.Model, capture.Captured, record.PromptTokens, record.CompletionTokens));
            }
        }
    }

    /// <summary>Where the answer comes from: the task's one model when it has one (so tasks sharing it share answers), else the task.</summary>
    private static string Scope(TaskDefinition task) => task.Ensemble is null && task.Models.Count == 1 ? "model:" + task.Models[0] : "task:" + task.Name;

    /// <summary>The caller's key (its hash) when keys are configured, so no key sees another's answers; else one shared space.</summary>
    private string Tenant(HttpRequest request)
    {
        if (!partitionByKey)
        {
            return string.Empty;
        }

        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? ApiKeys.Hash(header[7..].Trim()) : string.Empty;
    }

    /// <summary>"no-store" or "no-cache" when the request's <c>Cache-Control</c> has it (no-store first), else null.</summary>
    private static string? Directive(StringValues cacheControl)
    {
        string? found = null;
        foreach (var value in cacheControl)
        {
            foreach (var directive in (value ?? string.Empty).Split(','))
            {
                var d = directive.Trim();
                if (d.Equals("no-store", StringComparison.OrdinalIgnoreCase))
                {
                    return "no-store";
                }

                found ??= d.Equals("no-cache", StringComparison.OrdinalIgnoreCase) ? "no-cache" : null;
            }
        }

        return found;
    }
}
