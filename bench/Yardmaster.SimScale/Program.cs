// The serving simulation at scale: N GPUs (memory accounts), M models, R requests of a synthetic workload
// (SyntheticServing: Poisson arrivals, Zipf popularity, a token model) through ServingSimulation with the default
// policies. Prints the wall time, requests simulated per second, and every --every finished requests the working set and
// the live GC heap (after a full collection), which stay flat: the engine forgets what has ended.
// Usage: dotnet run -c Release --project bench/Yardmaster.SimScale [-- --gpus 1000 --models 200 --requests 1000000
//        --rate 1.5 --seed 1 --every 100000 --concurrency off]
// --concurrency builtin|slight gives every model a per-concurrency token model, so that a replica's requests are re-rated
// whenever one starts or ends: per sequence its rates alone, then ×0.67 with 2 at once and ×0.35 with 4 or more (builtin:
// the shape the builtin runtime measured; a slower, so heavier, workload), or ×0.999 and ×0.998 (slight: about the same
// workload as off, so the difference in time is the re-rating's).
using System.Diagnostics;
using System.Globalization;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;
using Yardmaster.Simulation;
using Yardmaster.Simulation.Reporting;
using Yardmaster.Simulation.Serving;

var gpus = 1000;
var models = 200;
var requests = 1_000_000L;
var rate = 1.5;
var seed = 1;
var every = 100_000L;
var concurrency = "off";
for (var i = 0; i + 1 < args.Length; i += 2)
{
    var value = args[i + 1];
    switch (args[i])
    {
        case "--gpus": gpus = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--models": models = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--requests": requests = long.Parse(value, CultureInfo.InvariantCulture); break;
        case "--rate": rate = double.Parse(value, CultureInfo.InvariantCulture); break;
        case "--seed": seed = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--every": every = long.Parse(value, CultureInfo.InvariantCulture); break;
        case "--concurrency": concurrency = value; break;
        default: throw new ArgumentException("unknown option " + args[i] + "; known: --gpus --models --requests --rate --seed --every --concurrency");
    }
}

var workload = new SyntheticServing(gpus, models, rate, seed);
var setup = workload.Setup();
(int Sequences, double Factor)[]? factors = concurrency switch
{
    "off" => null,
    "builtin" => [(1, 1.0), (2, 0.67), (4, 0.35)],
    "slight" => [(1, 1.0), (2, 0.999), (4, 0.998)],
    _ => throw new ArgumentException("--concurrency is off, builtin or slight"),
};
if (factors is not null)
{
    setup = setup with
    {
        Models = [.. setup.Models.Select(m => (m.Model, new ModelSpeed(
            [.. factors.Select(f => new ConcurrencySpeedSettings(f.Sequences, m.Speed.PrefillTokensPerSecond * f.Factor, m.Speed.DecodeTokensPerSecond * f.Factor))],
            m.Speed.LoadTime)))],
        Describe = setup.Describe + ", per-concurrency token model " + concurrency,
    };
}

var policies = new SimPolicies("default", "fair", "gdsf", "least-outstanding", Admission: true);
var builder = new RunSummaryBuilder(workload.Slos());
var tasks = setup.Tasks.Select(t => t.Name).ToArray();
var process = Process.GetCurrentProcess();
var loadBefore = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
var culture = CultureInfo.InvariantCulture;
Console.WriteLine(string.Create(culture, $"# SimScale: {setup.Describe}, {requests:N0} requests, seed {seed}, {Environment.ProcessorCount} cores, load average {loadBefore}"));
Console.WriteLine();
Console.WriteLine("| finished | wall s | simulated s | held | events | working set MiB | live GC heap MiB |");
Console.WriteLine("|--:|--:|--:|--:|--:|--:|--:|");

var simulation = new ServingSimulation(setup, policies, () => TimeSpan.FromSeconds(2), _ => EvictionPolicies.Create(policies.Eviction)!);
var epoch = DateTimeOffset.UnixEpoch;
var last = epoch;
long finished = 0;
var fingerprint = 14695981039346656037UL;
var outcomes = new long[Enum.GetValues<SimOutcome>().Length];
var stopwatch = Stopwatch.StartNew();
simulation.Run(workload.Requests(requests, epoch), epoch, r =>
{
    builder.Add(SimResults.Of(r, tasks[r.TaskIndex]));
    last = r.End!.Value > last ? r.End.Value : last;
    outcomes[(int)r.Outcome]++;
    fingerprint = Fold(fingerprint, (ulong)r.Id);
    fingerprint = Fold(fingerprint, (ulong)r.Outcome);
    fingerprint = Fold(fingerprint, (ulong)(r.Verdict is { } v ? (int)v + 1 : 0));
    fingerprint = Fold(fingerprint, (ulong)r.End.Value.UtcTicks);
    fingerprint = Fold(fingerprint, (ulong)(r.FirstToken?.UtcTicks ?? 0));
    fingerprint = Fold(fingerprint, r.ServedBy is { } s ? StableHash.Of(s.Device + "/" + s.Model.Definition.Name, (ulong)s.Number) : 0);
    if (++finished % every == 0)
    {
        var wall = stopwatch.Elapsed.TotalSeconds;
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        process.Refresh();
        Console.WriteLine(string.Create(culture, $"| {finished:N0} | {wall:0.0} | {(r.End.Value - epoch).TotalSeconds:0} | {simulation.Held:N0} | {simulation.Scheduled:N0} | {process.WorkingSet64 / 1048576.0:0} | {heap / 1048576.0:0.0} |"));
    }
});
var elapsed = stopwatch.Elapsed.TotalSeconds;
process.Refresh();
var loadAfter = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
var summary = builder.Build("default", [], last - epoch);
Console.WriteLine();
Console.WriteLine(string.Create(culture, $"wall {elapsed:0.0} s, {finished / elapsed:N0} requests/s simulated, {(last - epoch).TotalSeconds:0} s simulated, peak working set {process.PeakWorkingSet64 / 1048576.0:0} MiB, load average after {loadAfter}"));
Console.WriteLine(string.Create(culture, $"outcomes: {string.Join(", ", Enum.GetValues<SimOutcome>().Select(o => $"{o.ToString().ToLowerInvariant()} {outcomes[(int)o]:N0}"))}; loads {simulation.Models.Sum(m => m.Loads):N0}; SLO attainment {summary.All.SloAttainment:P2}"));
foreach (var task in summary.Tasks)
{
    Console.WriteLine(string.Create(culture, $"  {task.Task}: {task.Requests:N0} requests, {task.Completed:N0} completed, {task.Refused:N0} refused, {task.TimedOut:N0} timed out, attainment {task.SloAttainment:P2}"));
}

Console.WriteLine(string.Create(culture, $"fingerprint {fingerprint:x16} (every request's outcome, times and replica: equal runs, equal decisions)"));
return finished == requests ? 0 : 1;

static ulong Fold(ulong h, ulong x) => StableHash.Mix(h ^ x);
