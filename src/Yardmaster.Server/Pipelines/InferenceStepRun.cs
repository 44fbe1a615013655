using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Yardmaster.Core;
using Yardmaster.Core.Execution;
using Yardmaster.Core.Pipelines;

namespace Yardmaster.Server.Pipelines;

/// <summary>One attempt of an inference step: the requests in flight, the answers in input order, the log.</summary>
internal sealed class InferenceStepRun(HttpClient http, Uri server, string? key, StepLaunch launch, InferenceStepSpec spec, List<JsonObject> requests, TimeProvider time) : IStepProcess
{
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
        var caller = new GatewayCaller(http, server, key, launch, Log);
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
                    answers[i] = await SendAsync(caller, request, i).ConfigureAwait(false);
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
        catch (StepRequestFailedException e)
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

    /// <summary>Sends request <paramref name="index"/>; returns the answer's JSON on one line.</summary>
    private async Task<string> SendAsync(GatewayCaller caller, JsonObject request, int index)
    {
        var body = request.DeepClone().AsObject();
        body["model"] = spec.Task;
        try
        {
            var (answer, _) = await caller.SendAsync(body, (index + 1).ToString(CultureInfo.InvariantCulture), _stop.Token).ConfigureAwait(false);
            return answer.ToJsonString(Core.ReadableJson.Serializer); // one line of the output file, readable
        }
        catch (StepRequestFailedException e)
        {
            throw new StepRequestFailedException($"{e.Message} (line {index + 1} of {spec.Input})");
        }
    }

    private void Log(string line)
    {
        lock (_log)
        {
            File.AppendAllText(launch.LogPath, string.Create(CultureInfo.InvariantCulture, $"{time.GetUtcNow():HH:mm:ss.fff} {line}\n"));
        }
    }

}
