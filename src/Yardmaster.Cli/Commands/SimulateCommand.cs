using System.CommandLine;
using Yardmaster.Simulation;
using Yardmaster.Simulation.Traces;

namespace Yardmaster.Cli.Commands;

/// <summary>
/// <c>yard simulate</c>: a deterministic discrete-event simulation of a trace through the server's own policies and
/// passes, compared with the baselines and bounds on the same trace (<c>Yardmaster.Simulation</c>).
/// </summary>
internal static class SimulateCommand
{
    /// <summary>The policy kinds <c>--policy KIND=NAME</c> takes.</summary>
    public static IReadOnlyList<string> PolicyKinds { get; } = ["queue", "eviction", "routing", "placement"];

    public static Command Create()
    {
        var trace = new Option<string>("--trace") { Description = "The trace file", Required = true };
        var format = new Option<string>("--format") { Description = "Its format: " + string.Join(", ", TraceFormats.Names), Required = true };
        var nodes = new Option<string?>("--nodes") { Description = "The node list (alibaba-gpu: openb_node_list_gpu_node.csv)" };
        var config = new Option<string?>("--config") { Description = "A yard.yaml whose tasks, models and scheduler settings are simulated (default: derived from the trace)" };
        var policy = new Option<string[]>("--policy") { Description = "KIND=NAME (kind: " + string.Join(", ", PolicyKinds) + "), also run besides the baselines; repeatable", AllowMultipleArgumentsPerToken = false };
        var loadScale = new Option<double?>("--load-scale") { Description = "Arrival rate multiplier (default: the format's sweep)" };
        var seed = new Option<int>("--seed") { Description = "Seed of every random choice", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out", "-o") { Description = "Folder for summary.json, summary.md and the plots", DefaultValueFactory = _ => "simulation" };
        var strict = new Option<bool>("--strict") { Description = "A malformed trace row is fatal (default: counted, reported by line, skipped)" };
        var command = new Command("simulate", "Simulate a trace through the server's own scheduling policies, against the baselines (fcfs, lru, first-fit) and the offline bounds.")
        {
            trace, format, nodes, config, policy, loadScale, seed, output, strict,
        };
        command.SetAction(async (parse, ct) =>
        {
            var kind = TraceFormats.Parse(parse.GetValue(format)!, out var formatError);
            if (kind is null)
            {
                await Console.Error.WriteLineAsync($"error: --format: {formatError}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var policies = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in parse.GetValue(policy) ?? [])
            {
                var eq = p.IndexOf('=', StringComparison.Ordinal);
                var name = eq > 0 ? p[..eq] : p;
                if (eq <= 0 || eq == p.Length - 1 || !PolicyKinds.Contains(name))
                {
                    await Console.Error.WriteLineAsync($"error: --policy '{p}': expected KIND=NAME with KIND one of {string.Join(", ", PolicyKinds)}").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }

                policies[name] = p[(eq + 1)..];
            }

            if (parse.GetValue(loadScale) is { } scale && (!double.IsFinite(scale) || scale <= 0))
            {
                await Console.Error.WriteLineAsync("error: --load-scale must be a number above 0").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var file = parse.GetValue(trace)!;
            if (!File.Exists(file))
            {
                await Console.Error.WriteLineAsync($"error: --trace: {file} does not exist").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var options = new SimulateOptions(
                file, kind.Value, parse.GetValue(nodes), parse.GetValue(config), policies, parse.GetValue(loadScale), parse.GetValue(seed), parse.GetValue(output)!, parse.GetValue(strict));
            return await Simulator.RunAsync(options, Console.Out, Console.Error, ct).ConfigureAwait(false);
        });
        return command;
    }
}
