using System.Net.Http.Headers;
using System.Text.Json;
using Yardmaster.Core.Units;
using Yardmaster.Simulation.Reporting;

namespace Yardmaster.Cli.Commands.Bench;

/// <summary>The tasks' SLOs as <c>GET /api/tasks</c> gives them (it needs an admin key), or why they are not known.</summary>
internal static class TaskSlos
{
    /// <summary>Each task's target (tasks without one left out); null with the reason when the server would not say.</summary>
    public static async Task<(IReadOnlyDictionary<string, SloTarget>? Slos, string? Why)> GetAsync(HttpClient http, Uri url, string? key, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url, "api/tasks"));
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            using var response = await http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return (null, $"GET /api/tasks answered {(int)response.StatusCode}{(key is null ? " (no --key given; it needs an admin key)" : " (it needs an admin key)")}");
            }

            using var document = JsonDocument.Parse(body);
            var slos = new Dictionary<string, SloTarget>(StringComparer.Ordinal);
            foreach (var task in document.RootElement.EnumerateArray())
            {
                var slo = task.GetProperty("slo");
                var target = new SloTarget(Duration(slo, "ttft"), Duration(slo, "latency"));
                if (!target.IsEmpty)
                {
                    slos[task.GetProperty("name").GetString()!] = target;
                }
            }

            return (slos, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, "GET /api/tasks did not answer within 30 s");
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or InvalidOperationException or KeyNotFoundException)
        {
            return (null, $"GET /api/tasks failed: {e.Message}");
        }
    }

    private static TimeSpan? Duration(JsonElement slo, string name) =>
        slo.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && Quantities.TryParseDuration(v.GetString(), out var d, out _) ? d : null;
}
