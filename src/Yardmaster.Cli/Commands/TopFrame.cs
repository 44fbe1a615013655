using System.Text.Json;

namespace Yardmaster.Cli.Commands;

/// <summary>
/// What one poll of <c>yard top</c> saw: <c>/api/stats</c>, <c>/api/requests</c>, and the running steps of running runs
/// (<c>/api/runs</c>), with when it was taken (a <see cref="TimeProvider"/> timestamp, for rates between polls).
/// </summary>
internal sealed record TopFrame(JsonElement Stats, JsonElement Requests, IReadOnlyList<TopStep> Steps, long Timestamp)
{
    /// <summary>Most runs looked at for running steps.</summary>
    private const int RunsScanned = 20;

    /// <summary>Polls the server once.</summary>
    public static async Task<TopFrame> PollAsync(YardApiClient client, TimeProvider time, CancellationToken cancellationToken)
    {
        var stats = Parse(await client.GetAsync("api/stats", cancellationToken).ConfigureAwait(false));
        var requests = Parse(await client.GetAsync("api/requests", cancellationToken).ConfigureAwait(false));
        var runs = Parse(await client.GetAsync($"api/runs?limit={RunsScanned}", cancellationToken).ConfigureAwait(false));
        var steps = new List<TopStep>();
        foreach (var run in Items(runs, "runs"))
        {
            if (Json.Text(run, "state") != "running")
            {
                continue;
            }

            var id = Json.Text(run, "id");
            var detail = Parse(await client.GetAsync($"api/runs/{Uri.EscapeDataString(id)}?transitions=false", cancellationToken).ConfigureAwait(false));
            foreach (var step in Items(detail, "steps"))
            {
                if (Json.Text(step, "state") == "running")
                {
                    steps.Add(new TopStep(id, Json.Text(run, "pipeline"), Json.Text(step, "id"), (int)Json.Number(step, "attempts")));
                }
            }
        }

        return new TopFrame(stats, requests, steps, time.GetTimestamp());
    }

    /// <summary>The items of an array field; none when it is missing or not an array.</summary>
    public static IEnumerable<JsonElement> Items(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array ? a.EnumerateArray() : [];

    private static JsonElement Parse(string body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }
}
