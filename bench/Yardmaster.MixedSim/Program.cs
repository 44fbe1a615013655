// One pool against a static split in the simulator (issue 13, goal 1), at cluster size: the live mixed workload of
// bench/mixed-pool.sh on N nodes of this machine's shape, through MixedSimulation (the server's serving pass, the job
// scheduler's placement pass and ready order, cores shared by weight). The token models are the builtin runtime's, measured
// on this machine by `yard model bench --concurrency ... --output json` with a thread per core (--full) and with half the
// threads (--half). Prints per setup the online SLO attainment per class and the batch work per hour, and the ratios, at
// each online load of --speeds (the trace's rate per node times it), then one line per load.
// Usage: dotnet run -c Release --project bench/Yardmaster.MixedSim -- --trace ../shared/traces/azure-llm-2023-conv.csv
//        --full full.json --half half.json [--nodes 1] [--minutes 10] [--speeds "0.3"] [--out DIR] [--cores 2]
//        [--slo-chat 4] [--slo-search 8] [--cpu-step-seconds 3] [--line-prompt-tokens 100] [--command TEXT]
using System.Globalization;
using System.Text;
using System.Text.Json;
using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Simulation.Mixed;
using Yardmaster.Simulation.Serving;
using Yardmaster.Simulation.Traces;

string? tracePath = null, fullPath = null, halfPath = null, outDir = null, command = null;
double[] speeds = [0.3];
var options = new MixedOptions();
for (var i = 0; i + 1 < args.Length; i += 2)
{
    var value = args[i + 1];
    var number = () => double.Parse(value, CultureInfo.InvariantCulture);
    options = args[i] switch
    {
        "--nodes" => options with { Nodes = (int)number() },
        "--cores" => options with { Cores = (int)number() },
        "--minutes" => options with { Window = TimeSpan.FromMinutes(number()) },
        "--slo-chat" => options with { SloChat = TimeSpan.FromSeconds(number()) },
        "--slo-search" => options with { SloSearch = TimeSpan.FromSeconds(number()) },
        "--cpu-step-seconds" => options with { CpuStepSeconds = number() },
        "--line-prompt-tokens" => options with { LinePromptTokens = (int)number() },
        "--trace" or "--full" or "--half" or "--out" or "--command" or "--speeds" => options,
        _ => throw new ArgumentException("unknown option " + args[i]),
    };
    switch (args[i])
    {
        case "--trace": tracePath = value; break;
        case "--full": fullPath = value; break;
        case "--half": halfPath = value; break;
        case "--out": outDir = value; break;
        case "--command": command = value; break;
        case "--speeds": speeds = [.. value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture))]; break;
    }
}

if (tracePath is null || fullPath is null || halfPath is null)
{
    Console.Error.WriteLine("--trace (azure-llm), --full and --half (yard model bench --output json) are required");
    return 2;
}

var problems = new TraceProblems(tracePath, strict: false);
var trace = TraceReader.Read(tracePath, TraceFormat.AzureLlm, problems);
var full = Speed(fullPath);
var half = Speed(halfPath);
var wall = System.Diagnostics.Stopwatch.StartNew();
var runs = new List<(MixedOptions Options, MixedResult Split, MixedResult Shared)>();
foreach (var speed in speeds)
{
    var at = options with { SpeedPerNode = speed };
    var split = new MixedSimulation(at, false, full, half).Run(trace);
    runs.Add((at, split, new MixedSimulation(at, true, full, half).Run(trace)));
    runs.Add((at, split, new MixedSimulation(at with { BackgroundPasses = true }, true, full, half).Run(trace)));
    runs.Add((at, split, new MixedSimulation(at with { BackgroundPasses = true, FollowFrom = PriorityClass.Normal }, true, full, half).Run(trace)));
    runs.Add((at, split, new MixedSimulation(at, true, full, half, options.Cores / 2).Run(trace)));
}

var text = Render();
Console.WriteLine(text);
if (outDir is not null)
{
    Directory.CreateDirectory(outDir);
    var file = Path.Combine(outDir, $"mixed-sim-{options.Nodes}-nodes-{DateTime.UtcNow:yyyy-MM-dd-HHmm}.md");
    File.WriteAllText(file, text);
    Console.Error.WriteLine("wrote " + file);
}

return 0;

static ModelSpeed Speed(string path)
{
    using var json = JsonDocument.Parse(File.ReadAllText(path));
    var root = json.RootElement;
    var table = root.GetProperty("concurrency").EnumerateArray()
        .Select(r => new ConcurrencySpeedSettings(r.GetProperty("sequences").GetInt32(), r.GetProperty("prefill_tokens_per_second").GetDouble(), r.GetProperty("decode_tokens_per_second").GetDouble()))
        .ToList();
    return new ModelSpeed(table, TimeSpan.FromSeconds(root.GetProperty("load_seconds").GetDouble()));
}

string Render()
{
    var hours = options.Window.TotalHours;
    var o = CultureInfo.InvariantCulture;
    var b = new StringBuilder();
    b.AppendLine(string.Create(o, $"# One pool against a static split, simulated: {options.Nodes} node(s) of {options.Cores} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC"));
    b.AppendLine();
    b.AppendLine(string.Create(o, $"Command: `{command ?? "dotnet run -c Release --project bench/Yardmaster.MixedSim -- " + string.Join(' ', args)}`. {options.Window.TotalMinutes:0.#} simulated minutes per setup and load ({wall.Elapsed.TotalSeconds:0.0} s of wall time in all). "
        + $"Online: `{Path.GetFileName(tracePath)}` at {string.Join(", ", speeds.Select(v => v.ToString("0.###", o)))}× its rate, each node its own stretch of it (node k the k-th, wrapping round), prompt tokens / {options.PromptDivisor} as words × {options.TokensPerWord} tokens, output / {options.OutputDivisor}; "
        + $"`chat` (high, latency SLO {options.SloChat.TotalSeconds:0.#} s) {options.ChatShare:P0}, `search` (normal, {options.SloSearch.TotalSeconds:0.#} s) the rest. "
        + $"Batch: shards of a `prep` ({options.CpuStepSeconds:0.#} core-seconds), `infer` ({options.Lines} lines of {options.LinePromptTokens} + {options.LineOutputTokens} tokens to `bulk`, {options.Concurrency} at once) and a `post` ({options.CpuStepSeconds:0.#} core-seconds). "
        + $"Token models: {full.Describe()} (a thread per core), {half.Describe()} (half the threads)."));
    b.AppendLine();
    b.AppendLine("| load | setup | class | requests | completed | SLO attained | latency p50 s | p95 s | p99 s |");
    b.AppendLine("|--:|---|---|--:|--:|--:|--:|--:|--:|");
    foreach (var (at, split, shared) in runs)
    {
        foreach (var r in runs.First(x => x.Options == at).Shared != shared ? new[] { shared } : [split, shared])
        {
            foreach (var t in r.Online.Tasks)
            {
                b.AppendLine(string.Create(o, $"| {at.SpeedPerNode:0.###} | {r.Setup} | {t.Task} | {t.Requests:N0} | {t.Completed:N0} | {Pct(t.SloAttainment)} | {S(t.Latency?.P50)} | {S(t.Latency?.P95)} | {S(t.Latency?.P99)} |"));
            }
        }
    }

    b.AppendLine();
    b.AppendLine("| load | setup | CPU steps done | per hour | inference lines done | per hour | lines refused and sent again | steps' share of the cores | step side's engines busy |");
    b.AppendLine("|--:|---|--:|--:|--:|--:|--:|--:|--:|");
    foreach (var (at, split, shared) in runs)
    {
        foreach (var r in runs.First(x => x.Options == at).Shared != shared ? new[] { shared } : [split, shared])
        {
            b.AppendLine(string.Create(o, $"| {at.SpeedPerNode:0.###} | {r.Setup} | {r.CpuSteps:N0} | {r.CpuSteps / hours:N0} | {r.Lines:N0} | {r.Lines / hours:N0} | {r.LinesRetried:N0} | {r.StepCoreShare:P1} | {r.EngineBusyShare:P1} |"));
        }
    }

    b.AppendLine();
    b.AppendLine("| load | shared pool | `chat` SLO shared / split | `search` SLO shared / split | CPU steps shared ÷ split | inference lines shared ÷ split | goal |");
    b.AppendLine("|--:|---|--:|--:|--:|--:|---|");
    foreach (var (at, split, shared) in runs)
    {
        var met = true;
        var cells = new List<string>();
        foreach (var task in new[] { "chat", "search" })
        {
            var a = shared.Online.Tasks.FirstOrDefault(t => t.Task == task)?.SloAttainment;
            var c = split.Online.Tasks.FirstOrDefault(t => t.Task == task)?.SloAttainment;
            met &= (a ?? 1) >= (c ?? 1);
            cells.Add($"{Pct(a)} / {Pct(c)}");
        }

        met &= shared.CpuSteps >= 1.5 * split.CpuSteps && shared.Lines >= 1.5 * split.Lines;
        b.AppendLine(string.Create(o, $"| {at.SpeedPerNode:0.###} | {shared.Setup} | {cells[0]} | {cells[1]} | {Ratio(shared.CpuSteps, split.CpuSteps)} | {Ratio(shared.Lines, split.Lines)} | {(met ? "met" : "not met")} |"));
    }

    b.AppendLine();
    b.AppendLine("Goal: online attainment at least the split's, batch work (CPU steps and inference lines) at least 1.5× the split's.");
    return b.ToString();
}

static string Pct(double? v) => v is { } x ? (x * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "n/a";

static string S(double? ms) => ms is { } x ? (x / 1000).ToString("0.00", CultureInfo.InvariantCulture) : "n/a";

static string Ratio(long a, long b) => b == 0 ? "n/a" : ((double)a / b).ToString("0.00", CultureInfo.InvariantCulture) + "x";
