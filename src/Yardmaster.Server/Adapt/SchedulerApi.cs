using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Queueing;
using Yardmaster.Runtime.Serving;

namespace Yardmaster.Server.Adapt;

/// <summary>
/// <c>GET /api/scheduler</c> (the settings in force), <c>PUT /api/scheduler</c> (change the queue policy, aging bounds
/// and queue bound while serving; what <c>yard tune --apply</c> sends) and <c>GET /api/adaptations</c> (every change and
/// <c>scheduler.adapt</c>'s last check). Behind the admin key, as all of <c>/api</c>.
/// </summary>
internal sealed class SchedulerApi(ServingScheduler scheduler, AdaptSettings? adapt, AdaptationJournal journal, TimeProvider time, ILogger log, long maxBody)
{
    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/scheduler", (HttpContext http) => JsonResponse.WriteAsync(http, json => DefinitionJson.WriteScheduler(json, scheduler.Settings)));
        routes.MapPut("/api/scheduler", PutAsync);
        routes.MapGet("/api/adaptations", (HttpContext http) => JsonResponse.WriteAsync(http, json => AdaptationJson.Write(json, adapt, journal)));
    }

    private async Task PutAsync(HttpContext http)
    {
        if (http.Request.ContentLength > maxBody || await JsonBody.ReadAsync(http.Request, http.RequestAborted).ConfigureAwait(false) is not { } body)
        {
            await Gateway.Problem.WriteAsync(http.Response, 413, $"the body is larger than {maxBody} bytes").ConfigureAwait(false);
            return;
        }

        var (document, invalid) = JsonBody.Parse(body);
        if (document is null)
        {
            await Gateway.Problem.WriteAsync(http.Response, 400, invalid!.Message).ConfigureAwait(false);
            return;
        }

        using (document)
        {
            var current = scheduler.Settings;
            if (!DefinitionJson.TryReadScheduler(document.RootElement, current, out var next, out var errors))
            {
                await Gateway.Problem.WriteAsync(http.Response, 400, "the scheduler settings are not valid; nothing changed", errors).ConfigureAwait(false);
                return;
            }

            if (SchedulerDiff.Changes(current, next).Count > 0)
            {
                var change = SchedulerDiff.Describe(current, next);
                scheduler.Retune(next, QueuePolicies.Create(next.Queue)!);
                var entry = journal.Add(time.GetUtcNow(), "api", current, next, null, null);
                AdaptLog.Changed(log, "api", entry.Id, change, "nothing (set by hand)");
            }

            await JsonResponse.WriteAsync(http, json => DefinitionJson.WriteScheduler(json, scheduler.Settings)).ConfigureAwait(false);
        }
    }
}
