using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Yardmaster.Core;
using Yardmaster.Core.Execution;
using Yardmaster.Core.Pipelines;

namespace Yardmaster.Server.Pipelines;

/// <summary>One attempt of an inference step: the requests in flight, the answers in input order, the log.</summary>
internal sealed class InferenceStepRun(HttpClient http, Uri server, string? key, StepLaunch launch, InferenceStepSpec spec, List<JsonObject> requests, TimeProvider time) : IStepProcess
{
    private const int MaxTries = 8;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<StepExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _log = new();

    public string Locator => $"inference: {requests.Count} requests to task '{spec.Task}'";

    public Task<StepExit> Exited => _exited.Task;

    public void Start() => _ = Task.Run(RunAsync);

    public async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _exited.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        return ValueTask.CompletedTask;
    }

    private async Task RunAsync()
    {
        var answers = new string?[requests.Count];
        using var gate = new SemaphoreSlim(spec.Concurrency);
        var clock = Stopwatch.StartNew();
        Log($"{requests.Count} requests to task '{spec.Task}' at priority {launch.Priority.Name()}, {spec.Concurrency} at a time");
        try
        {
            var all = requests.Select(async (request, i) =>
            {
                await gate.WaitAsync(_stop.Token).ConfigureAwait(false);
                try
                {
                    answers[i] = await SendAsync(request, i).ConfigureAwait(false);
                }
                finally
                {
                    gate.Release();
                }
            }).ToList();
            await Task.WhenAll(all).ConfigureAwait(false);
            var output = Path.Combine(launch.WorkingDirectory, spec.Output);
            Directory.CreateDirectory(Path.GetDirectoryName(output)!);
            await File.WriteAllLinesAsync(output + ".tmp", answers!, _stop.Token).ConfigureAwait(false);
            File.Move(output + ".tmp", output, overwrite: true);
            Log($"wrote {answers.Length} answers to {spec.Output} in {clock.Elapsed.TotalSeconds:0.0} s");
            _exited.TrySetResult(new StepExit(0, null));
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            Log("stopped");
            _exited.TrySetResult(new StepExit(null, 15));
        }
        catch (InferenceFailedException e)
        {
            Log(e.Message);
            _exited.TrySetResult(new StepExit(1, null));
        }
        catch (Exception e) when (e is HttpRequestException or IOException or UnauthorizedAccessException)
        {
            Log("failed: " + e.Message);
            _exited.TrySetResult(new StepExit(1, null));
        }
    }

    /// <summary>Sends request <paramref name="index"/>; retries refusals for load; returns the answer's JSON on one line.</summary>
    private async Task<string> SendAsync(JsonObject request, int index)
    {
        var body = request.DeepClone().AsObject();
        body["model"] = spec.Task;
        body["stream"] = false;
        var path = body["messages"] is not null ? "v1/chat/completions" : "v1/completions";
        var priority = true;
        for (var attempt = 1; ; attempt++)
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(server, path)) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
            if (priority)
            {
                message.Headers.Add("X-Yard-Priority", launch.Priority.Name());
            }

            // The gateway's access line of this request names the attempt and the line it answers.
            message.Headers.TryAddWithoutValidation("X-Request-Id", string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{launch.AttemptId}.{index + 1}"));
            if (key is not null)
            {
                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }

            var started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(message, _stop.Token).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(_stop.Token).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                Log($"request {index + 1}: {(int)response.StatusCode} in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms");
                return JsonNode.Parse(text)!.ToJsonString(Core.ReadableJson.Serializer); // one line of the output file, readable
            }

            if (response.StatusCode == HttpStatusCode.Forbidden && priority && text.Contains("priority_not_allowed", StringComparison.Ordinal))
            {
                // The task allows less urgency than the pipeline's class: the task's own class applies.
                priority = false;
                continue;
            }

            var retryable = response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable;
            if (!retryable || attempt >= MaxTries)
            {
                throw new InferenceFailedException($"request {index + 1} (line of {spec.Input}) failed: {(int)response.StatusCode} {text}");
            }

            var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(Math.Min(10, attempt));
            // The refusal's reason, as the statistics count it (rate_limit, queue_full, deadline_unmeetable, ...).
            Log($"request {index + 1}: {(int)response.StatusCode} {ErrorCode(text) ?? "refused"}, again in {wait.TotalSeconds:0.#} s");
            await Task.Delay(wait, _stop.Token).ConfigureAwait(false);
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

    private void Log(string line)
    {
        lock (_log)
        {
            File.AppendAllText(launch.LogPath, string.Create(CultureInfo.InvariantCulture, $"{time.GetUtcNow():HH:mm:ss.fff} {line}\n"));
        }
    }

    private sealed class InferenceFailedException(string message) : Exception(message);
}
