using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Yardmaster.Core;
using Yardmaster.Core.Execution;

namespace Yardmaster.Server.Pipelines;

/// <summary>
/// Sends a step's requests to this server's own gateway, so they meet every other request in the request scheduler: at
/// the pipeline's class (<c>X-Yard-Priority</c>; a task allowing less keeps its own), with the attempt and line in
/// <c>X-Request-Id</c>, retrying refusals for load (429, 503) after their <c>Retry-After</c>. Thread-safe.
/// </summary>
internal sealed class GatewayCaller(HttpClient http, Uri server, string? key, StepLaunch launch, Action<string> log)
{
    private const int MaxTries = 8;
    private volatile bool _priority = true;

    /// <summary>
    /// Sends <paramref name="body"/> (its <c>model</c> set) to <c>/v1/chat/completions</c> when it has <c>messages</c>, else
    /// <c>/v1/completions</c>; returns the answer's JSON and the model that answered (<c>X-Yard-Model</c>).
    /// </summary>
    /// <exception cref="StepRequestFailedException">A refusal not for load, or refusals past the retries.</exception>
    public async Task<(JsonObject Answer, string? Model)> SendAsync(JsonObject body, string what, CancellationToken cancellationToken)
    {
        body["stream"] = false;
        var path = body["messages"] is not null ? "v1/chat/completions" : "v1/completions";
        for (var attempt = 1; ; attempt++)
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(server, path)) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
            if (_priority)
            {
                message.Headers.Add("X-Yard-Priority", launch.Priority.Name());
            }

            // The gateway's access line of this request names the attempt and the line it answers.
            message.Headers.TryAddWithoutValidation("X-Request-Id", $"{launch.AttemptId}.{what}");
            if (key is not null)
            {
                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }

            var started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(message, cancellationToken).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                log(string.Create(CultureInfo.InvariantCulture, $"request {what}: {(int)response.StatusCode} in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms"));
                var model = response.Headers.TryGetValues("X-Yard-Model", out var models) ? models.FirstOrDefault() : null;
                return (JsonNode.Parse(text)?.AsObject() ?? throw new StepRequestFailedException($"request {what}: the answer is not a JSON object"), model);
            }

            if (response.StatusCode == HttpStatusCode.Forbidden && _priority && text.Contains("priority_not_allowed", StringComparison.Ordinal))
            {
                _priority = false; // the task allows less urgency than the pipeline's class: the task's own class applies
                continue;
            }

            var retryable = response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable;
            if (!retryable || attempt >= MaxTries)
            {
                throw new StepRequestFailedException($"request {what} failed: {(int)response.StatusCode} {text}");
            }

            var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(Math.Min(10, attempt));
            // The refusal's reason, as the statistics count it (rate_limit, queue_full, deadline_unmeetable, ...).
            log(string.Create(CultureInfo.InvariantCulture, $"request {what}: {(int)response.StatusCode} {ErrorCode(text) ?? "refused"}, again in {wait.TotalSeconds:0.#} s"));
            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The OpenAI error object's <c>code</c>, when the body is one.</summary>
    private static string? ErrorCode(string body)
    {
        try
        {
            return JsonNode.Parse(body)?["error"]?["code"]?.GetValue<string>();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
