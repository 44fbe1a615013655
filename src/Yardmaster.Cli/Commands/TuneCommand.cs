using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.History;
using Yardmaster.Core.Units;
using Yardmaster.Runtime.Configuration;
using Yardmaster.Simulation.Serving;
using Yardmaster.Simulation.Traces;
using Yardmaster.Simulation.Tuning;
using Yardmaster.Storage;

namespace Yardmaster.Cli.Commands;

/// <summary>
/// <c>yard tune</c>: searches the parameters a yard.yaml exposes (queue policy, aging bounds, queue bound, eviction policy;
/// each task's weight, each model's keep-alive and replicas) by simulating a trace, or the server's own request log
/// (<c>--history 7d</c>), through the server's own passes, and prints the best configuration found as a diff against the
/// current one with the predicted change per task and its spread over several draws (seeds). <c>--apply</c> puts a
/// confident change in force on the running server (<c>PUT /api/scheduler</c>; a task's or model's definition read from
/// <c>/api/tasks</c> or <c>/api/models</c>, changed and put back).
/// </summary>
internal static class TuneCommand
{
    public static Command Create()
    {
        var trace = new Option<string?>("--trace") { Description = "The trace file (or --history)" };
        var format = new Option<string?>("--format") { Description = "Its format: azure-llm, mooncake, yard" };
        var history = new Option<string?>("--history") { Description = "Tune on the server's own request log instead: how far back (e.g. 24h, 7d), read from --config's store (store.url or store.path), else yard.db in --data" };
        var config = new Option<string?>("--config") { Description = "The yard.yaml to improve (default: the server's defaults); with --history, its store too" };
        var objective = new Option<string>("--objective") { Description = "goodput (requests/s within SLO) or slo (attainment weighted by class)", DefaultValueFactory = _ => "goodput" };
        objective.AcceptOnlyFromAmong("goodput", "slo");
        var budget = new Option<string>("--budget") { Description = "Wall time the search may take (e.g. 60s, 5m)", DefaultValueFactory = _ => "60s" };
        var seeds = new Option<int>("--seeds") { Description = "Draws of the task split each configuration is simulated under", DefaultValueFactory = _ => 3 };
        var loadScale = new Option<double>("--load-scale") { Description = "Arrival rate multiplier the trace is replayed at", DefaultValueFactory = _ => 1.0 };
        var strict = new Option<bool>("--strict") { Description = "A malformed trace row is fatal" };
        var apply = new Option<bool>("--apply") { Description = "Put the best configuration in force on the running server (--server) when it is better on every seed" };
        var data = new Option<string?>("--data") { Description = "Data folder of a 'yard serve' on this machine: its store (for --history) and admin.token (for --apply) (default $YARD_HOME, else ~/.cache/yardmaster)" };
        var server = new ServerOptions(data);
        var command = new Command("tune", "Search the scheduler's parameters by simulating a trace or the server's request log, and print the best configuration found as a diff.")
        {
            trace, format, history, config, objective, budget, seeds, loadScale, strict, apply, data,
        };
        server.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            if (!Quantities.TryParseDuration(parse.GetValue(budget), out var limit, out _) || limit <= TimeSpan.Zero)
            {
                return await UsageAsync($"--budget '{parse.GetValue(budget)}' is not a duration above 0 (e.g. 60s, 5m)").ConfigureAwait(false);
            }

            var seedCount = parse.GetValue(seeds);
            var load = parse.GetValue(loadScale);
            if (seedCount is < 1 or > 20 || !double.IsFinite(load) || load <= 0)
            {
                return await UsageAsync("--seeds must be 1 to 20 and --load-scale above 0").ConfigureAwait(false);
            }

            if ((parse.GetValue(trace) is null) == (parse.GetValue(history) is null))
            {
                return await UsageAsync("give either --trace FILE --format F, or --history DURATION (the server's own request log)").ConfigureAwait(false);
            }

            YardConfig? yard = null;
            if (parse.GetValue(config) is { } file)
            {
                var loaded = YardConfigLoader.Load(file);
                if (loaded.Config is null)
                {
                    await ValidationErrors.From(loaded.Errors).WriteAsync($" in {file}; nothing tuned").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }

                yard = loaded.Config;
            }

            IReadOnlyList<TraceRequest>? requests;
            if (parse.GetValue(history) is { } back)
            {
                (requests, yard) = await FromHistoryAsync(back, parse.GetValue(data), yard, ct).ConfigureAwait(false);
            }
            else
            {
                requests = await FromTraceAsync(parse.GetValue(trace)!, parse.GetValue(format), parse.GetValue(strict)).ConfigureAwait(false);
            }

            if (requests is null)
            {
                return ExitCodes.Usage;
            }

            var goal = parse.GetValue(objective) == "slo" ? TuneObjective.Slo : TuneObjective.Goodput;
            var result = PolicyTuner.Tune(requests, yard, goal, load, seedCount, limit);
            var tasks = new LlmWorkload(requests, yard).Tasks
                .Select(t => (t.Name, t.Priority.Name(), t.Latency is { } l ? "latency " + Durations.Format(l) : "-")).ToList();
            await Console.Out.WriteAsync(TuneReport.Write(result, goal, load, seedCount, tasks)).ConfigureAwait(false);
            if (!parse.GetValue(apply))
            {
                return ExitCodes.Ok;
            }

            if (result.Best.Candidate == result.Current.Candidate || !result.Confident)
            {
                await Console.Out.WriteLineAsync("--apply: nothing sent (no change predicted better on every seed)").ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            return await ServerCall.RunAsync(parse, server, async (client, token) =>
            {
                var best = result.Best.Candidate;
                var now = result.Current.Candidate;
                if (best.SchedulerDiffers(now))
                {
                    await PutAsync(client, "api/scheduler", Body(best), token).ConfigureAwait(false);
                    await Console.Out.WriteLineAsync($"--apply: scheduler settings in force on {client.Target.Display} (GET /api/adaptations lists them)").ConfigureAwait(false);
                }

                var taskLines = best.Knobs.TaskLines();
                for (var i = 0; i < best.Knobs.Tasks.Count; i++)
                {
                    var (was, knob) = (now.Knobs.Tasks[i], best.Knobs.Tasks[i]);
                    if (was != knob)
                    {
                        var change = string.Create(CultureInfo.InvariantCulture, $"task '{knob.Name}' weight {was.Weight:0.###} -> {knob.Weight:0.###}");
                        await ChangeAsync(client, "api/tasks/" + Uri.EscapeDataString(knob.Name), json => json["weight"] = knob.Weight, change, taskLines[i], token).ConfigureAwait(false);
                    }
                }

                var modelLines = best.Knobs.ModelLines();
                for (var i = 0; i < best.Knobs.Models.Count; i++)
                {
                    var (was, knob) = (now.Knobs.Models[i], best.Knobs.Models[i]);
                    if (was != knob)
                    {
                        await ChangeAsync(client, "api/models/" + Uri.EscapeDataString(knob.Name), json =>
                        {
                            json.Remove("status"); // what the server reports of its replicas, not part of the definition
                            json["keep_alive"] = knob.KeepAlive is { } keepAlive ? JsonValue.Create(Durations.Format(keepAlive)) : JsonValue.Create(-1);
                            json["replicas"] = new JsonObject { ["min"] = knob.ReplicasMin, ["max"] = knob.ReplicasMax };
                        }, $"model '{knob.Name}' {Words(was)} -> {Words(knob)}", modelLines[i], token).ConfigureAwait(false);
                    }
                }

                return ExitCodes.Ok;
            }, ct).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>The request log of the last <paramref name="back"/> from the store, and the config with each model's token model fitted to it where it declares none.</summary>
    private static async Task<(IReadOnlyList<TraceRequest>?, YardConfig?)> FromHistoryAsync(string back, string? data, YardConfig? yard, CancellationToken ct)
    {
        if (TimeWindow.Parse(back, null, TimeProvider.System.GetUtcNow(), out var error) is not { } window)
        {
            await UsageAsync($"--history: {error}").ConfigureAwait(false);
            return (null, yard);
        }

        var (store, storeError) = History.StoreTarget.Resolve(data, yard);
        if (store is null)
        {
            await UsageAsync($"--history: {storeError}").ConfigureAwait(false);
            return (null, yard);
        }

        var rows = new List<RequestLogRecord>();
        await using (var history = await StoreOpener.OpenHistoryAsync(store, store.Path ?? "", TimeProvider.System, null, ct).ConfigureAwait(false))
        {
            await foreach (var row in history.ReadRequestsAsync(window.Since, window.Until, ct).ConfigureAwait(false))
            {
                rows.Add(row);
            }
        }

        if (rows.Count == 0)
        {
            await UsageAsync($"--history: the request log holds no request from {window.Since:O} to {window.Until:O}").ConfigureAwait(false);
            return (null, yard);
        }

        await Console.Error.WriteLineAsync($"{rows.Count} request(s) from the request log, {window.Since:O} to {window.Until:O}").ConfigureAwait(false);
        return (RequestLogReplay.Trace(rows), yard is null ? null : AdaptPlanner.Fitted(yard, rows));
    }

    private static async Task<IReadOnlyList<TraceRequest>?> FromTraceAsync(string path, string? formatName, bool strict)
    {
        var kind = formatName is null ? null : TraceFormats.Parse(formatName, out var formatError);
        if (kind is not (TraceFormat.AzureLlm or TraceFormat.Mooncake or TraceFormat.Yard))
        {
            await UsageAsync("--format: " + (formatName is null ? "--trace needs --format: azure-llm, mooncake or yard" : "yard tune takes an LLM request trace: azure-llm, mooncake or yard")).ConfigureAwait(false);
            return null;
        }

        var problems = new TraceProblems(path, strict);
        IReadOnlyList<TraceRequest> requests;
        try
        {
            requests = TraceReader.Read(path, kind.Value, problems);
        }
        catch (Exception e) when (e is TraceFormatException or IOException)
        {
            await UsageAsync(e.Message).ConfigureAwait(false);
            return null;
        }

        foreach (var line in problems.Lines())
        {
            await Console.Error.WriteLineAsync("warning: " + line).ConfigureAwait(false);
        }

        if (requests.Count == 0)
        {
            await UsageAsync($"{path} holds no request").ConfigureAwait(false);
            return null;
        }

        return requests;
    }

    private static async Task PutAsync(YardApiClient client, string path, string body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await client.SendAsync(request, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads a task's or model's definition from the server, changes it, and puts it back (the registry keeps everything
    /// else as it was). One declared in the server's yard.yaml cannot change through the API: says which line to set there.
    /// </summary>
    private static async Task ChangeAsync(YardApiClient client, string path, Action<JsonObject> change, string words, string line, CancellationToken ct)
    {
        var json = JsonNode.Parse(await client.GetAsync(path, ct).ConfigureAwait(false)) as JsonObject
            ?? throw new ServerCallException($"GET {path}: the answer is not a JSON object");
        if (json["from_config"]?.GetValue<bool>() == true)
        {
            await Console.Out.WriteLineAsync($"--apply: not sent: {words}: it is declared in the server's yard.yaml, so set it there:{Environment.NewLine}{line}").ConfigureAwait(false);
            return;
        }

        change(json);
        await PutAsync(client, path, json.ToJsonString(), ct).ConfigureAwait(false);
        await Console.Out.WriteLineAsync($"--apply: {words}").ConfigureAwait(false);
    }

    private static string Words(ModelKnob knob) =>
        $"keep_alive {(knob.KeepAlive is { } k ? Durations.Format(k) : "never")}, replicas {knob.ReplicasMin}..{knob.ReplicasMax}";

    /// <summary>The body of <c>PUT /api/scheduler</c> that puts <paramref name="best"/> in force.</summary>
    private static string Body(TuneCandidate best)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("queue", best.Queue);
            json.WriteString("eviction", best.Eviction);
            json.WriteNumber("max_queue", best.MaxQueue);
            json.WriteStartObject("max_wait");
            json.WriteString("default", Durations.Format(best.DefaultWait));
            json.WriteString("low", Durations.Format(best.LowWait));
            json.WriteString("batch", Durations.Format(best.BatchWait));
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static async Task<int> UsageAsync(string message)
    {
        await Console.Error.WriteLineAsync("error: " + message).ConfigureAwait(false);
        return ExitCodes.Usage;
    }
}
