using System.Diagnostics;
using System.Globalization;
using System.Text;
using Yardmaster.PolicySim.Eviction;
using Yardmaster.PolicySim.Queueing;
using Yardmaster.PolicySim.Traces;

// Yardmaster.PolicySim [--traces DIR] [--out FILE]
// Trace-driven, deterministic simulation of the server's own queue and eviction policies
// (Yardmaster.Core) against their baselines. Prints a markdown report and writes it to FILE
// (default bench/results/policy-sim-<UTC date>.md). DIR defaults to ../shared/traces next to the
// repository root (the directory holding Yardmaster.slnx).
const string Usage = "usage: Yardmaster.PolicySim [--traces DIR] [--out FILE]";
var root = FindRoot(Directory.GetCurrentDirectory()) ?? FindRoot(AppContext.BaseDirectory);
string? traces = null;
string? output = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--traces" when i + 1 < args.Length: traces = args[++i]; break;
        case "--out" when i + 1 < args.Length: output = args[++i]; break;
        case "--help" or "-h": Console.WriteLine(Usage); return 0;
        default:
            await Console.Error.WriteLineAsync($"{Usage}; unknown argument '{args[i]}'");
            return 2;
    }
}

if (root is null && (traces is null || output is null))
{
    await Console.Error.WriteLineAsync("Yardmaster.slnx not found above the current directory: pass --traces and --out.");
    return 2;
}

traces ??= Path.GetFullPath(Path.Combine(root!, "..", "shared", "traces"));
string[] needed = [AzureConvTrace.FileName, AlibabaGenAiTrace.RequestFile, AlibabaGenAiTrace.LatencyFile];
var missing = needed.Where(f => !File.Exists(Path.Combine(traces, f))).ToList();
if (missing.Count > 0)
{
    await Console.Error.WriteLineAsync($"traces missing in {traces}: {string.Join(", ", missing)}. "
        + "The public traces live in ../shared/traces next to the checkout (not in the repository); pass --traces DIR to use another folder.");
    return 2;
}

var date = TimeProvider.System.GetUtcNow().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
output ??= Path.Combine(root!, "bench", "results", $"policy-sim-{date}.md");

var stopwatch = Stopwatch.StartNew();
var report = new StringBuilder();
report.AppendLine($"# Policy simulation, {date}").AppendLine();
report.AppendLine("`dotnet run -c Release --project bench/Yardmaster.PolicySim` (traces from `../shared/traces`, see its README). "
    + "Deterministic discrete-event replay: no threads, no wall clock; the same inputs give the same figures. "
    + "The policies are the server's own (`QueuePolicies.Create`, `EvictionPolicies.Create` in `Yardmaster.Core`), not copies.");
report.AppendLine();
QueueExperiment.Run(traces, report);
EvictionExperiment.Run(traces, report);

var text = report.ToString();
Console.Write(text);
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
await File.WriteAllTextAsync(output, text);
await Console.Error.WriteLineAsync($"wrote {output} in {stopwatch.Elapsed.TotalSeconds:0.0} s");
return 0;

static string? FindRoot(string start)
{
    for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Yardmaster.slnx")))
        {
            return dir.FullName;
        }
    }

    return null;
}
