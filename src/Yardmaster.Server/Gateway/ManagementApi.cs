using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;
using Yardmaster.Core.Statistics;
using Yardmaster.Runtime.Serving;

namespace Yardmaster.Server.Gateway;

/// <summary><c>/api/tasks</c>, <c>/api/models</c> (with load and unload) and <c>/api/stats</c>: JSON in yard.yaml's keys, problem details on errors.</summary>
/// <remarks><paramref name="extra"/> writes more top-level properties of <c>/api/stats</c> (the result caches, the ensembles).</remarks>
internal sealed partial class ManagementApi(ServingRegistry registry, ServingScheduler scheduler, StatisticsCollector statistics, Runtime.History.HistoryRecorder? history, TimeProvider time, long maxBody, Action<System.Text.Json.Utf8JsonWriter>? extra = null)
{
    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/tasks", (HttpContext http) => JsonResponse.WriteAsync(http, json =>
        {
            json.WriteStartArray();
            foreach (var t in registry.Current.Tasks.Values.OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                DefinitionJson.WriteTask(json, t);
            }

            json.WriteEndArray();
        }));
        routes.MapGet("/api/tasks/{name}", (HttpContext http, string name) => registry.Current.Tasks.TryGetValue(name, out var t)
            ? JsonResponse.WriteAsync(http, json => DefinitionJson.WriteTask(json, t))
            : Problem.WriteAsync(http.Response, 404, $"task '{name}' not found"));
        routes.MapPost("/api/tasks", (HttpContext http) => PutTaskAsync(http, null));
        routes.MapPut("/api/tasks/{name}", (HttpContext http, string name) => PutTaskAsync(http, name));
        routes.MapDelete("/api/tasks/{name}", (HttpContext http, string name) => DeleteAsync(http, task: true, name));

        routes.MapGet("/api/models", (HttpContext http) => JsonResponse.WriteAsync(http, json =>
        {
            var status = scheduler.Snapshot().Models.ToDictionary(m => m.Name, StringComparer.Ordinal);
            json.WriteStartArray();
            foreach (var m in registry.Current.Models.Values.OrderBy(m => m.Name, StringComparer.Ordinal))
            {
                WriteModel(json, m, status.GetValueOrDefault(m.Name));
            }

            json.WriteEndArray();
        }));
        routes.MapGet("/api/models/{name}", (HttpContext http, string name) => registry.Current.Models.TryGetValue(name, out var m)
            ? JsonResponse.WriteAsync(http, json => WriteModel(json, m, scheduler.Snapshot().Models.FirstOrDefault(s => s.Name == name)))
            : Problem.WriteAsync(http.Response, 404, $"model '{name}' not found"));
        routes.MapPost("/api/models", (HttpContext http) => PutModelAsync(http, null));
        routes.MapPut("/api/models/{name}", (HttpContext http, string name) => PutModelAsync(http, name));
        routes.MapDelete("/api/models/{name}", (HttpContext http, string name) => DeleteAsync(http, task: false, name));
        routes.MapPost("/api/models/{name}/load", (HttpContext http, string name) => ActAsync(http, name, scheduler.Load(name), "loading"));
        routes.MapPost("/api/models/{name}/unload", (HttpContext http, string name) =>
        {
            // "unloaded" when nothing was loaded: the answer says what is true, not what was asked.
            var loaded = scheduler.Snapshot().Models.FirstOrDefault(s => s.Name == name)?.Replicas.Any(r => r.State is ReplicaState.Loading or ReplicaState.Ready or ReplicaState.Draining) == true;
            return ActAsync(http, name, scheduler.Unload(name), loaded ? "unloading" : "unloaded");
        });
        MapQuality(routes);
        routes.MapGet("/api/stats", StatsAsync);
        routes.MapGet("/api/history", HistoryAsync);
    }

    /// <summary><c>/api/stats</c>: since this server started; with <c>?since=</c> (and <c>until=</c>), any window of the history, across restarts.</summary>
    private async Task StatsAsync(HttpContext http)
    {
        if (!http.Request.Query.TryGetValue("since", out var since))
        {
            await JsonResponse.WriteAsync(http, json => StatsJson.Write(json, statistics.Snapshot(), scheduler.Snapshot(), extra: extra)).ConfigureAwait(false);
            return;
        }

        if (await WindowAsync(http, since.ToString()).ConfigureAwait(false) is not { } window)
        {
            return;
        }

        var stats = await history!.StatisticsAsync(window.Since, window.Until, http.RequestAborted).ConfigureAwait(false);
        await JsonResponse.WriteAsync(http, json => StatsJson.Write(json, stats, scheduler.Snapshot(), window, extra)).ConfigureAwait(false);
    }

    /// <summary><c>/api/history?since=1h[&amp;until=][&amp;step=5m]</c>: per task and per model, a time series; and the model events.</summary>
    private async Task HistoryAsync(HttpContext http)
    {
        if (await WindowAsync(http, http.Request.Query.TryGetValue("since", out var since) ? since.ToString() : "1h").ConfigureAwait(false) is not { } window)
        {
            return;
        }

        var step = TimeSpan.FromMinutes(1);
        if (http.Request.Query.TryGetValue("step", out var stepText)
            && (!Core.Units.Quantities.TryParseDuration(stepText.ToString(), out step, out _) || step < TimeSpan.FromMinutes(1) || step > TimeSpan.FromDays(1)))
        {
            await Problem.WriteAsync(http.Response, 400, $"'step' must be a duration from 1m to 1d (e.g. 1m, 5m, 1h), got '{stepText}'").ConfigureAwait(false);
            return;
        }

        var (rows, events) = await history!.ReadAsync(window.Since, window.Until, http.RequestAborted).ConfigureAwait(false);
        await JsonResponse.WriteAsync(http, json => HistoryJson.Write(json, window, step, rows, events)).ConfigureAwait(false);
    }

    private async Task<Core.History.TimeWindow?> WindowAsync(HttpContext http, string since)
    {
        if (history is null)
        {
            await Problem.WriteAsync(http.Response, 409, "the history is off (history.enabled: false in the config); only the statistics since this server started are kept").ConfigureAwait(false);
            return null;
        }

        var until = http.Request.Query.TryGetValue("until", out var u) ? u.ToString() : null;
        if (Core.History.TimeWindow.Parse(since, until, time.GetUtcNow(), out var error) is not { } window)
        {
            await Problem.WriteAsync(http.Response, 400, error!).ConfigureAwait(false);
            return null;
        }

        return window;
    }

    private static void WriteModel(Utf8JsonWriter json, ModelDefinition model, ModelStatus? status)
    {
        using var definition = JsonDocument.Parse(DefinitionJson.ToJson(model));
        json.WriteStartObject();
        foreach (var p in definition.RootElement.EnumerateObject())
        {
            p.WriteTo(json);
        }

        if (status is not null)
        {
            json.WritePropertyName("status");
            StatsJson.WriteStatus(json, status);
        }

        json.WriteEndObject();
    }

    private async Task PutTaskAsync(HttpContext http, string? name)
    {
        var (element, document) = await ReadAsync(http).ConfigureAwait(false);
        using (document)
        {
            if (element is not { } e)
            {
                return;
            }

            if (!DefinitionJson.TryReadTask(e, out var task, out var errors))
            {
                await Problem.WriteAsync(http.Response, 400, "the task is not valid", errors).ConfigureAwait(false);
                return;
            }

            await PutAsync(http, name, task.Name, isNew => registry.Current.Tasks.ContainsKey(task.Name) != isNew, ct => registry.PutTaskAsync(task, ct), json => DefinitionJson.WriteTask(json, registry.Current.Tasks[task.Name])).ConfigureAwait(false);
        }
    }

    private async Task PutModelAsync(HttpContext http, string? name)
    {
        var (element, document) = await ReadAsync(http).ConfigureAwait(false);
        using (document)
        {
            if (element is not { } e)
            {
                return;
            }

            if (!DefinitionJson.TryReadModel(e, out var model, out var errors))
            {
                await Problem.WriteAsync(http.Response, 400, "the model is not valid", errors).ConfigureAwait(false);
                return;
            }

            await PutAsync(http, name, model.Name, isNew => registry.Current.Models.ContainsKey(model.Name) != isNew, ct => registry.PutModelAsync(model, ct), json => DefinitionJson.WriteModel(json, registry.Current.Models[model.Name])).ConfigureAwait(false);
        }
    }

    /// <summary>POST creates (409 when the name exists); PUT to /{name} creates or replaces (400 when the body names another).</summary>
    private static async Task PutAsync(HttpContext http, string? pathName, string bodyName, Func<bool, bool> exists, Func<CancellationToken, Task<IReadOnlyList<string>>> put, Action<Utf8JsonWriter> write)
    {
        if (pathName is not null && pathName != bodyName)
        {
            await Problem.WriteAsync(http.Response, 400, $"the body's name '{bodyName}' differs from the path's '{pathName}'").ConfigureAwait(false);
            return;
        }

        var created = !exists(false);
        if (pathName is null && !created)
        {
            await Problem.WriteAsync(http.Response, 409, $"'{bodyName}' already exists; PUT to its URL to replace it").ConfigureAwait(false);
            return;
        }

        var errors = await put(http.RequestAborted).ConfigureAwait(false);
        if (errors.Count > 0)
        {
            // The process refusal also mentions "the config file", so it is recognized first.
            var status = errors.Any(e => e.StartsWith("backend: process", StringComparison.Ordinal) || e.StartsWith("api_key_env:", StringComparison.Ordinal)) ? 403 : errors.Any(e => e.Contains("config file", StringComparison.Ordinal)) ? 409 : 400;
            await Problem.WriteAsync(http.Response, status, $"'{bodyName}' was not stored", errors).ConfigureAwait(false);
            return;
        }

        http.Response.StatusCode = created ? 201 : 200;
        await JsonResponse.WriteAsync(http, write).ConfigureAwait(false);
    }

    private async Task DeleteAsync(HttpContext http, bool task, string name)
    {
        if (await registry.DeleteAsync(task, name, http.RequestAborted).ConfigureAwait(false) is { } problem)
        {
            await Problem.WriteAsync(http.Response, problem.Status, problem.Message).ConfigureAwait(false);
            return;
        }

        http.Response.StatusCode = 204;
    }

    private static Task ActAsync(HttpContext http, string name, string? problem, string state)
    {
        if (problem is not null)
        {
            return Problem.WriteAsync(http.Response, problem.EndsWith("not found", StringComparison.Ordinal) ? 404 : 409, problem);
        }

        return JsonResponse.AcceptedAsync(http, "model", name, state);
    }

    private async Task<(JsonElement?, JsonDocument?)> ReadAsync(HttpContext http)
    {
        if (http.Request.ContentLength > maxBody)
        {
            await Problem.WriteAsync(http.Response, 413, $"the body is larger than {maxBody} bytes").ConfigureAwait(false);
            return (null, null);
        }

        var body = await JsonBody.ReadAsync(http.Request, http.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            await Problem.WriteAsync(http.Response, 413, $"the body is larger than {maxBody} bytes").ConfigureAwait(false);
            return (null, null);
        }

        var (document, invalid) = JsonBody.Parse(body);
        if (document is null)
        {
            await Problem.WriteAsync(http.Response, 400, invalid!.Message).ConfigureAwait(false);
            return (null, null);
        }

        return (document.RootElement, document);
    }

}
