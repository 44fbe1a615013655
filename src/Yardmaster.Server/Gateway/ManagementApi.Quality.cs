using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Yardmaster.Core.Configuration;

namespace Yardmaster.Server.Gateway;

/// <content><c>/api/models/{name}/quality</c>: a model's measured quality, read and recorded.</content>
internal sealed partial class ManagementApi
{
    /// <summary>Most measurements one read returns.</summary>
    private const int MaxQualityRows = 1000;

    private void MapQuality(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/models/{name}/quality", QualityAsync);
        routes.MapPost("/api/models/{name}/quality", AddQualityAsync);
    }

    /// <summary>
    /// <c>{"model", "latest": [one per metric, newest first], "history": [every measurement, newest first]}</c>;
    /// <c>?limit=N</c> (1 to 1000, default 100) bounds the history.
    /// </summary>
    private async Task QualityAsync(HttpContext http, string name)
    {
        if (!registry.Current.Models.ContainsKey(name))
        {
            await Problem.WriteAsync(http.Response, 404, $"model '{name}' not found").ConfigureAwait(false);
            return;
        }

        var limit = 100;
        if (http.Request.Query.TryGetValue("limit", out var text)
            && (!int.TryParse(text.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxQualityRows))
        {
            await Problem.WriteAsync(http.Response, 400, $"limit must be an integer from 1 to {MaxQualityRows}, got '{text}'").ConfigureAwait(false);
            return;
        }

        var history = await registry.QualityAsync(name, limit, http.RequestAborted).ConfigureAwait(false);
        var latest = await registry.LatestQualityAsync(name, http.RequestAborted).ConfigureAwait(false);
        await JsonResponse.WriteAsync(http, json =>
        {
            void WriteAll(string property, IReadOnlyList<Core.Registry.ModelQuality> measurements)
            {
                json.WriteStartArray(property);
                foreach (var q in measurements)
                {
                    DefinitionJson.WriteQuality(json, q);
                }

                json.WriteEndArray();
            }

            json.WriteStartObject();
            json.WriteString("model", name);
            WriteAll("latest", latest);
            WriteAll("history", history);
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary>Records a measurement (see <see cref="DefinitionJson.TryReadQuality"/>); 201 with it as stored.</summary>
    private async Task AddQualityAsync(HttpContext http, string name)
    {
        var (element, document) = await ReadAsync(http).ConfigureAwait(false);
        using (document)
        {
            if (element is not { } e)
            {
                return;
            }

            if (!DefinitionJson.TryReadQuality(e, name, time.GetUtcNow(), out var quality, out var errors))
            {
                await Problem.WriteAsync(http.Response, 400, "the quality measurement is not valid", errors).ConfigureAwait(false);
                return;
            }

            if (!await registry.AddQualityAsync(quality, http.RequestAborted).ConfigureAwait(false))
            {
                await Problem.WriteAsync(http.Response, 404, $"model '{name}' not found").ConfigureAwait(false);
                return;
            }

            http.Response.StatusCode = 201;
            await JsonResponse.WriteAsync(http, json => DefinitionJson.WriteQuality(json, quality)).ConfigureAwait(false);
        }
    }
}
