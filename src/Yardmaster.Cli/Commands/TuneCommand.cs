using System.CommandLine;
using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Units;
using Yardmaster.Runtime.Configuration;
using Yardmaster.Simulation.Serving;
using Yardmaster.Simulation.Traces;
using Yardmaster.Simulation.Tuning;

namespace Yardmaster.Cli.Commands;

/// <summary>
/// <c>yard tune</c>: searches the scheduler parameters a yard.yaml exposes (queue policy, aging bounds, queue bound) by
/// simulating a trace through the server's own passes, and prints the best configuration found as a diff against the
/// current one with the predicted change per task and its spread over several draws (seeds).
/// </summary>
internal static class TuneCommand
{
    public static Command Create()
    {
        var trace = new Option<string>("--trace") { Description = "The trace file", Required = true };
        var format = new Option<string>("--format") { Description = "Its format: azure-llm, mooncake, yard", Required = true };
        var config = new Option<string?>("--config") { Description = "The yard.yaml to improve (default: the server's defaults)" };
        var objective = new Option<string>("--objective") { Description = "goodput (requests/s within SLO) or slo (attainment weighted by class)", DefaultValueFactory = _ => "goodput" };
        objective.AcceptOnlyFromAmong("goodput", "slo");
        var budget = new Option<string>("--budget") { Description = "Wall time the search may take (e.g. 60s, 5m)", DefaultValueFactory = _ => "60s" };
        var seeds = new Option<int>("--seeds") { Description = "Draws of the task split each configuration is simulated under", DefaultValueFactory = _ => 3 };
        var loadScale = new Option<double>("--load-scale") { Description = "Arrival rate multiplier the trace is replayed at", DefaultValueFactory = _ => 1.0 };
        var strict = new Option<bool>("--strict") { Description = "A malformed trace row is fatal" };
        var command = new Command("tune", "Search the scheduler's parameters by simulating a trace, and print the best configuration found as a diff.")
        {
            trace, format, config, objective, budget, seeds, loadScale, strict,
        };
        command.SetAction(async (parse, ct) =>
        {
            var kind = TraceFormats.Parse(parse.GetValue(format)!, out var formatError);
            if (kind is not (TraceFormat.AzureLlm or TraceFormat.Mooncake or TraceFormat.Yard))
            {
                await Console.Error.WriteLineAsync($"error: --format: {formatError ?? "yard tune takes an LLM request trace: azure-llm, mooncake or yard"}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            if (!Quantities.TryParseDuration(parse.GetValue(budget), out var limit, out _) || limit <= TimeSpan.Zero)
            {
                await Console.Error.WriteLineAsync($"error: --budget '{parse.GetValue(budget)}' is not a duration above 0 (e.g. 60s, 5m)").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var seedCount = parse.GetValue(seeds);
            var load = parse.GetValue(loadScale);
            if (seedCount is < 1 or > 20 || !double.IsFinite(load) || load <= 0)
            {
                await Console.Error.WriteLineAsync("error: --seeds must be 1 to 20 and --load-scale above 0").ConfigureAwait(false);
                return ExitCodes.Usage;
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

            var path = parse.GetValue(trace)!;
            var problems = new TraceProblems(path, parse.GetValue(strict));
            IReadOnlyList<TraceRequest> requests;
            try
            {
                requests = TraceReader.Read(path, kind.Value, problems);
            }
            catch (Exception e) when (e is TraceFormatException or IOException)
            {
                await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            foreach (var line in problems.Lines())
            {
                await Console.Error.WriteLineAsync("warning: " + line).ConfigureAwait(false);
            }

            if (requests.Count == 0)
            {
                await Console.Error.WriteLineAsync($"error: {path} holds no request").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var goal = parse.GetValue(objective) == "slo" ? TuneObjective.Slo : TuneObjective.Goodput;
            var result = PolicyTuner.Tune(requests, yard, goal, load, seedCount, limit);
            var tasks = new LlmWorkload(requests, yard).Tasks
                .Select(t => (t.Name, t.Priority.Name(), t.Latency is { } l ? "latency " + Durations.Format(l) : "-")).ToList();
            await Console.Out.WriteAsync(TuneReport.Write(result, goal, load, seedCount, tasks)).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
