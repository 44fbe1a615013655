using System.Net;
using System.Text;
using System.Text.Json;

namespace Yardmaster.Cli.Commands.Runs;

/// <summary>Run commands against a server's <c>/api/runs</c>.</summary>
internal sealed class RemoteRuns(YardApiClient client) : IRunsBackend
{
    public string Describe => client.Target.Display;

    public async Task<(string? Id, IReadOnlyList<string> Errors)> SubmitAsync(string yaml, string file, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["yaml"] = yaml, ["file"] = file });
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/runs") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        try
        {
            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            return (document.RootElement.GetProperty("id").GetString(), []);
        }
        catch (ServerCallException e) when (e.Status == HttpStatusCode.BadRequest)
        {
            return (null, [e.Message]);
        }
    }

    public Task? Ended(string runId, CancellationToken cancellationToken) => null;

    public async Task<IReadOnlyList<string>> ValidateAsync(string yaml, string file, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["yaml"] = yaml, ["file"] = file });
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/pipelines/validate") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        return [.. document.RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!)];
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
}
