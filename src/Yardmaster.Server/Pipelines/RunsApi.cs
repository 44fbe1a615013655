using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using System.Text.Json;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Runs;
using Yardmaster.Runtime.Pipelines;
using Yardmaster.Server.Gateway;

namespace Yardmaster.Server.Pipelines;

/// <summary>
/// <c>/api/runs</c> and <c>/api/pipelines</c>: submit a pipeline (YAML in a JSON body), list and inspect runs with
/// their steps, attempts and transitions, read or follow a step's log, cancel, retry; validate a pipeline. Reads come
/// from the store; what changes runs goes to the job scheduler, this instance's while it leads, else the leader's.
/// </summary>
internal sealed class RunsApi(Cluster.JobsAccess jobs, IRunStore store, long maxBodyBytes)
{
    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/runs", ListAsync);
        routes.MapPost("/api/runs", (HttpContext http) => WritingAsync(http, () => SubmitAsync(http)));
        routes.MapGet("/api/runs/{id}", GetAsync);
        routes.MapPost("/api/runs/{id}/cancel", (HttpContext http, string id) => WritingAsync(http, () => CancelAsync(http, id)));
        routes.MapPost("/api/runs/{id}/retry", (HttpContext http, string id) => WritingAsync(http, () => RetryAsync(http, id)));
        routes.MapGet("/api/runs/{id}/logs/{step}", (HttpContext http, string id, string step) => RunLogs.WriteAsync(http, store, id, step));
        routes.MapGet("/api/pipelines", PipelinesAsync);
        routes.MapPost("/api/pipelines/validate", ValidateAsync);
    }

    private async Task ListAsync(HttpContext http)
    {
        var limit = int.TryParse(http.Request.Query["limit"], out var l) && l > 0 ? Math.Min(l, 10_000) : 50;
        var pipeline = http.Request.Query["pipeline"].FirstOrDefault();
        var runs = await store.ListRunsAsync(pipeline, limit, http.RequestAborted).ConfigureAwait(false);
        await JsonResponse.WriteAsync(http, json => RunJson.WriteRunList(json, runs)).ConfigureAwait(false);
    }

    private async Task SubmitAsync(HttpContext http)
    {
        if (await ReadPipelineAsync(http).ConfigureAwait(false) is not { } body)
        {
            return;
        }

        var (id, errors) = await Scheduler.SubmitAsync(body.Yaml, body.File, http.RequestAborted).ConfigureAwait(false);
        if (id is null)
        {
            var listed = errors.Count > ErrorReport.MaxShown ? $" (the first {ErrorReport.MaxShown} are listed)" : string.Empty;
            await Problem.WriteAsync(http.Response, 400, $"{ErrorReport.Count(errors.Count)} in {body.File}; nothing was started{listed}", [.. errors.Select(e => e.ToString())]).ConfigureAwait(false);
            return;
        }

        http.Response.StatusCode = 201;
        http.Response.Headers.Location = "/api/runs/" + id;
        await JsonResponse.WriteAsync(http, json =>
        {
            json.WriteStartObject();
            json.WriteString("id", id);
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private async Task GetAsync(HttpContext http, string id)
    {
        var detail = await store.GetRunAsync(id, http.RequestAborted).ConfigureAwait(false);
        if (detail is null)
        {
            await Problem.WriteAsync(http.Response, 404, $"there is no run '{id}'").ConfigureAwait(false);
            return;
        }

        var transitions = string.Equals(http.Request.Query["transitions"], "false", StringComparison.OrdinalIgnoreCase)
            ? null
            : await store.TransitionsAsync(id, http.RequestAborted).ConfigureAwait(false);
        // The DAG's edges (the dashboard draws them) from the pipeline as submitted; absent if it no longer loads here.
        var needs = PipelineLoader.LoadText(detail.Run.Definition, detail.Run.SourceFile, jobs.Environment).Pipeline?.Steps
            .ToDictionary(s => s.Id, s => s.Needs, StringComparer.Ordinal);
        bool? items = http.Request.Query["items"].FirstOrDefault() is { } shown ? string.Equals(shown, "true", StringComparison.OrdinalIgnoreCase) : null;
        await JsonResponse.WriteAsync(http, json => RunJson.WriteDetail(json, detail, transitions, needs, items)).ConfigureAwait(false);
    }

    private async Task CancelAsync(HttpContext http, string id)
    {
        if (await Scheduler.CancelAsync(id, "cancelled through the API", http.RequestAborted).ConfigureAwait(false))
        {
            await Accepted(http, id, "cancelling").ConfigureAwait(false);
            return;
        }

        var detail = await store.GetRunAsync(id, http.RequestAborted).ConfigureAwait(false);
        await Problem.WriteAsync(http.Response, detail is null ? 404 : 409, detail is null ? $"there is no run '{id}'" : $"run {id} is {detail.Run.State.Name()}; only running runs are cancelled").ConfigureAwait(false);
    }

    private async Task RetryAsync(HttpContext http, string id)
    {
        string? step = null;
        // A body with a length or a chunked one (what HttpClient sends for JsonContent); an empty body retries every step.
        if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true)
        {
            var (document, invalid) = JsonBody.Parse(await JsonBody.ReadAsync(http.Request, http.RequestAborted).ConfigureAwait(false) ?? []);
            if (document is null)
            {
                await Problem.WriteAsync(http.Response, 400, invalid!.Message).ConfigureAwait(false);
                return;
            }

            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object || (document.RootElement.TryGetProperty("step", out var s) && s.ValueKind != JsonValueKind.String))
                {
                    await Problem.WriteAsync(http.Response, 400, "the body must be a JSON object with an optional string 'step'").ConfigureAwait(false);
                    return;
                }

                step = document.RootElement.TryGetProperty("step", out var value) ? value.GetString() : null;
            }
        }

        var error = await Scheduler.RetryAsync(id, step, http.RequestAborted).ConfigureAwait(false);
        if (error is null)
        {
            await Accepted(http, id, "running").ConfigureAwait(false);
            return;
        }

        // No such run, or no such step in it: 404; a run or step in the wrong state: 409.
        var missing = error.StartsWith("there is no run", StringComparison.Ordinal) || (step is not null && error.EndsWith($" has no step '{step}'", StringComparison.Ordinal));
        await Problem.WriteAsync(http.Response, missing ? 404 : 409, error).ConfigureAwait(false);
    }

    private async Task PipelinesAsync(HttpContext http)
    {
        var runs = await store.ListRunsAsync(null, 10_000, http.RequestAborted).ConfigureAwait(false);
        await JsonResponse.WriteAsync(http, json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("pipelines");
            foreach (var group in runs.GroupBy(r => r.Pipeline, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                json.WriteStartObject();
                json.WriteString("name", group.Key);
                json.WriteNumber("runs", group.Count());
                json.WritePropertyName("last_run");
                RunJson.WriteRun(json, group.First());
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private async Task ValidateAsync(HttpContext http)
    {
        if (await ReadPipelineAsync(http).ConfigureAwait(false) is not { } body)
        {
            return;
        }

        var loaded = PipelineLoader.LoadText(body.Yaml, body.File, jobs.Environment);
        await JsonResponse.WriteAsync(http, json =>
        {
            json.WriteStartObject();
            json.WriteBoolean("valid", loaded.Success);
            json.WriteStartArray("errors");
            foreach (var e in ErrorReport.Shown(loaded.Errors))
            {
                json.WriteStringValue(e.ToString());
            }

            json.WriteEndArray();
            json.WriteNumber("error_count", loaded.Errors.Count);
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary><c>{ "yaml": "...", "file": "name.yaml" }</c>; a 400 (and null) for anything else.</summary>
    private async Task<(string Yaml, string File)?> ReadPipelineAsync(HttpContext http)
    {
        if (http.Request.ContentLength > maxBodyBytes)
        {
            await Problem.WriteAsync(http.Response, 413, $"the body is larger than server.max_body ({maxBodyBytes} bytes)").ConfigureAwait(false);
            return null;
        }

        var body = await JsonBody.ReadAsync(http.Request, http.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            await Problem.WriteAsync(http.Response, 413, $"the body is larger than server.max_body ({maxBodyBytes} bytes)").ConfigureAwait(false);
            return null;
        }

        var (document, invalid) = JsonBody.Parse(body);
        if (document is null)
        {
            await Problem.WriteAsync(http.Response, 400, $"the body must be a JSON object with 'yaml' (the pipeline file's text); {invalid!.Message}").ConfigureAwait(false);
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("yaml", out var yaml) || yaml.ValueKind != JsonValueKind.String)
            {
                await Problem.WriteAsync(http.Response, 400, "the body must be a JSON object with 'yaml' (the pipeline file's text) and optionally 'file' (its name)").ConfigureAwait(false);
                return null;
            }

            if (Text(yaml) is not { } text)
            {
                await Problem.WriteAsync(http.Response, 400, "'yaml' is not valid UTF-8 text (a binary file?); send the pipeline file's text").ConfigureAwait(false);
                return null;
            }

            var file = "pipeline.yaml";
            if (root.TryGetProperty("file", out var f) && f.ValueKind == JsonValueKind.String)
            {
                if (Text(f) is not { } name)
                {
                    await Problem.WriteAsync(http.Response, 400, "'file' is not valid UTF-8 text; send the pipeline file's name").ConfigureAwait(false);
                    return null;
                }

                file = name.Length > 0 ? name : file;
            }

            return (text, file);
        }
    }

    /// <summary>The string's text; null when it is not valid UTF-8 or holds an escaped lone surrogate (GetString throws then).</summary>
    private static string? Text(JsonElement element)
    {
        try
        {
            return element.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The local scheduler; only called by handlers <see cref="WritingAsync"/> runs here, which it does only while there is one.</summary>
    private JobScheduler Scheduler => jobs.Local ?? throw new InvalidOperationException("this instance does not lead the job scheduler");

    /// <summary>
    /// A handler that changes runs: forwarded to the leader when this instance follows; 507 Insufficient Storage, saying
    /// where and what to do, while the store cannot write (a full disk); 503 when this instance has just lost the lead.
    /// </summary>
    private async Task WritingAsync(HttpContext http, Func<Task> handler)
    {
        if (jobs.Local is null)
        {
            if (jobs.Proxy is { } proxy)
            {
                await proxy.ForwardAsync(http).ConfigureAwait(false);
            }
            else
            {
                await Problem.WriteAsync(http.Response, 503, "the job scheduler is not running").ConfigureAwait(false);
            }

            return;
        }

        try
        {
            await handler().ConfigureAwait(false);
        }
        catch (StoreWriteException e) when (!http.Response.HasStarted)
        {
            await Problem.WriteAsync(http.Response, 507, e.Message).ConfigureAwait(false);
        }
        catch (Core.Cluster.StoreFencedException e) when (!http.Response.HasStarted)
        {
            http.Response.Headers.RetryAfter = "1";
            await Problem.WriteAsync(http.Response, 503, e.Message + "; nothing was changed, send it again").ConfigureAwait(false);
        }
        catch (SchedulerStoppedException e) when (!http.Response.HasStarted)
        {
            http.Response.Headers.RetryAfter = "1";
            await Problem.WriteAsync(http.Response, 503, e.Message + "; look at /api/runs before sending it again").ConfigureAwait(false);
        }
    }

    private static Task Accepted(HttpContext http, string id, string state) => JsonResponse.AcceptedAsync(http, "id", id, state);
}
