using System.Net;
using System.Text;
using System.Text.Json;

namespace Yardmaster.Cli.Commands.Runs;

/// <summary>Run commands against a server's <c>/api/runs</c>.</summary>
internal sealed class RemoteRuns(YardApiClient client) : IRunsBackend
{
    public string Describe => client.Target.Display;

    public async Task<(string? Id, ValidationErrors Errors)> SubmitAsync(string yaml, string file, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["yaml"] = yaml, ["file"] = file });
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/runs") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        try
        {
            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            return (document.RootElement.GetProperty("id").GetString(), ValidationErrors.None);
        }
        catch (ServerCallException e) when (e.Status == HttpStatusCode.BadRequest)
        {
            // The pipeline's errors, listed as the embedded scheduler lists them; another 400 (a bad body) is one error.
            return (null, ErrorsOf(e.Body) is { IsEmpty: false } errors ? errors : new ValidationErrors([e.Message], 1));
        }
    }

    public Task? Ended(string runId, CancellationToken cancellationToken) => null;

    public async Task<ValidationErrors> ValidateAsync(string yaml, string file, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["yaml"] = yaml, ["file"] = file });
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/pipelines/validate") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return ErrorsOf(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)) ?? ValidationErrors.None;
    }

    public async Task<JsonElement?> GetAsync(string runId, bool transitions, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/runs/" + Uri.EscapeDataString(runId) + (transitions ? string.Empty : "?transitions=false"));
        try
        {
            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)).RootElement.Clone();
        }
        catch (ServerCallException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<JsonElement> ListAsync(string? pipeline, int limit, CancellationToken cancellationToken)
    {
        var query = $"api/runs?limit={limit}" + (pipeline is null ? string.Empty : "&pipeline=" + Uri.EscapeDataString(pipeline));
        return JsonDocument.Parse(await client.GetAsync(query, cancellationToken).ConfigureAwait(false)).RootElement.Clone();
    }

    public async Task<string?> CancelAsync(string runId, string reason, CancellationToken cancellationToken)
    {
        try
        {
            await client.PostAsync($"api/runs/{Uri.EscapeDataString(runId)}/cancel", cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (ServerCallException e)
        {
            return e.Message;
        }
    }

    public async Task<string?> RetryAsync(string runId, string? stepId, CancellationToken cancellationToken)
    {
        var body = stepId is null ? "{}" : JsonSerializer.Serialize(new Dictionary<string, string> { ["step"] = stepId });
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/runs/{Uri.EscapeDataString(runId)}/retry") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        try
        {
            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (ServerCallException e)
        {
            return e.Message;
        }
    }

    public async Task<string?> LogsAsync(string runId, string stepId, int? attempt, bool follow, Stream output, CancellationToken cancellationToken)
    {
        var path = $"api/runs/{Uri.EscapeDataString(runId)}/logs/{Uri.EscapeDataString(stepId)}?follow={(follow ? "true" : "false")}"
            + (attempt is { } n ? "&attempt=" + n.ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        try
        {
            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await body.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (ServerCallException e)
        {
            return e.Message;
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>The <c>errors</c> (the first 100) and <c>error_count</c> of a validation answer or a problem; null when the body has none.</summary>
    private static ValidationErrors? ErrorsOf(string? body)
    {
        if (string.IsNullOrEmpty(body))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            List<string> shown = [.. errors.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText())];
            var total = root.TryGetProperty("error_count", out var count) && count.TryGetInt32(out var n) && n >= shown.Count ? n : shown.Count;
            return new ValidationErrors(shown, total);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
