using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Yardmaster.Core;
using Yardmaster.Core.Execution;
using Yardmaster.Core.Pipelines;

namespace Yardmaster.Server.Pipelines;

/// <summary>One attempt of an inference step: the requests in flight, the answers in input order, the log.</summary>
internal sealed class InferenceStepRun(HttpClient http, Uri server, string? key, StepLaunch launch, InferenceStepSpec spec, List<JsonObject> requests, TimeProvider time)
    : ServerStepRun(launch, time)
{
    public override string Locator => $"inference: {requests.Count} requests to task '{spec.Task}'";

    protected override async Task WorkAsync()
    {
        var caller = new GatewayCaller(http, server, key, Launch, Log);
        var clock = Stopwatch.StartNew();
        Log($"{requests.Count} requests to task '{spec.Task}' at priority {Launch.Priority.Name()}, {spec.Concurrency} at a time");
        var answers = await ForEachAsync(requests.Select((request, i) => (request, i)), spec.Concurrency, r => SendAsync(caller, r.request, r.i)).ConfigureAwait(false);
        var output = Path.Combine(Launch.WorkingDirectory, spec.Output);
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        await File.WriteAllLinesAsync(output + ".tmp", answers, Stopping).ConfigureAwait(false);
        File.Move(output + ".tmp", output, overwrite: true);
        Log($"wrote {answers.Length} answers to {spec.Output} in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>Sends request <paramref name="index"/>; returns the answer's JSON on one line.</summary>
    private async Task<string> SendAsync(GatewayCaller caller, JsonObject request, int index)
    {
        var body = request.DeepClone().AsObject();
        body["model"] = spec.Task;
        try
        {
            var (answer, _) = await caller.SendAsync(body, (index + 1).ToString(CultureInfo.InvariantCulture), Stopping).ConfigureAwait(false);
            return answer.ToJsonString(Core.ReadableJson.Serializer); // one line of the output file, readable
        }
        catch (StepRequestFailedException e)
        {
            throw new StepRequestFailedException($"{e.Message} (line {index + 1} of {spec.Input})");
        }
    }
}
