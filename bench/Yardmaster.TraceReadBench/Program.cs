// Reads 1,000,000-row traces with the simulator's readers and prints the time and memory per format.
// Usage: dotnet run -c Release --project bench/Yardmaster.TraceReadBench [-- --traces DIR] [--rows N]
// The traces are built under bench/.work/trace-read/ by repeating the shared ones (../shared/traces) with their
// times shifted, once; then each is read three times and the fastest read is reported.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Yardmaster.Simulation.Traces;

var root = FindRoot();
var traces = Path.GetFullPath(Path.Combine(root, "..", "shared", "traces"));
var rows = 1_000_000;
for (var i = 0; i + 1 < args.Length; i += 2)
{
    (traces, rows) = args[i] switch
    {
        "--traces" => (args[i + 1], rows),
        "--rows" => (traces, int.Parse(args[i + 1], CultureInfo.InvariantCulture)),
        _ => throw new ArgumentException("unknown option " + args[i]),
    };
}

var work = Path.Combine(root, "bench", ".work", "trace-read");
Directory.CreateDirectory(work);
var azure = Build(Path.Combine(work, $"azure-{rows}.csv"), Path.Combine(traces, "azure-llm-2023-conv.csv"), rows, header: true, (line, round) =>
{
    // Shift each copy by one hour so the rows stay in time order.
    var time = DateTime.ParseExact(line[..27], "yyyy-MM-dd HH:mm:ss.fffffff", CultureInfo.InvariantCulture).AddHours(round);
    return time.ToString("yyyy-MM-dd HH:mm:ss.fffffff", CultureInfo.InvariantCulture) + line[27..];
});
var mooncake = Build(Path.Combine(work, $"mooncake-{rows}.jsonl"), Path.Combine(traces, "mooncake-synthetic.jsonl"), rows, header: false, (line, round) =>
{
    var at = line.IndexOf(',', StringComparison.Ordinal);
    var ms = long.Parse(line.AsSpan(14, at - 14), CultureInfo.InvariantCulture) + (round * 3_600_000L);
    return "{\"timestamp\": " + ms.ToString(CultureInfo.InvariantCulture) + line[at..];
});

Console.WriteLine("| shared trace | format | requests | malformed rows |");
Console.WriteLine("|---|---|--:|--:|");
foreach (var (format, name) in new[] { (TraceFormat.AzureLlm, "azure-llm-2023-conv.csv"), (TraceFormat.Mooncake, "mooncake-synthetic.jsonl"), (TraceFormat.AlibabaGenAi, "alibaba-genai-v2026/lora_request_trace.csv") })
{
    var problems = new TraceProblems(name, strict: false);
    var read = TraceReader.Read(Path.Combine(traces, name), format, problems);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {TraceFormats.Name(format)} | {read.Count:N0} | {problems.Count} |"));
}

var loads = LoadTimeSamples.Read(Path.Combine(traces, "alibaba-genai-v2026", "basemodel_update_latency_anon.csv"), new TraceProblems("load times", strict: true));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| alibaba-genai-v2026/basemodel_update_latency_anon.csv | load times | {loads.Count:N0} (median {loads.Order().ElementAt(loads.Count / 2).TotalSeconds:0.0} s) | 0 |"));
Console.WriteLine();
Console.WriteLine($"| format | rows | file MiB | read s (best of 3) | rows/s | managed MiB after |");
Console.WriteLine("|---|--:|--:|--:|--:|--:|");
foreach (var (format, file) in new[] { (TraceFormat.AzureLlm, azure), (TraceFormat.Mooncake, mooncake) })
{
    var best = double.MaxValue;
    var count = 0;
    long memory = 0;
    for (var run = 0; run < 3; run++)
    {
        GC.Collect();
        var clock = Stopwatch.StartNew();
        var requests = TraceReader.Read(file, format, new TraceProblems(file, strict: true));
        best = Math.Min(best, clock.Elapsed.TotalSeconds);
        count = requests.Count;
        memory = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(requests);
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {TraceFormats.Name(format)} | {count:N0} | {new FileInfo(file).Length / 1048576.0:0} | {best:0.00} | {count / best:N0} | {memory / 1048576.0:0} |"));
}

static string Build(string file, string source, int rows, bool header, Func<string, int, string> shift)
{
    if (File.Exists(file))
    {
        return file;
    }

    var lines = File.ReadAllLines(source).Skip(header ? 1 : 0).Where(l => l.Length > 0).ToArray();
    using var writer = new StreamWriter(file, false, new UTF8Encoding(false));
    if (header)
    {
        writer.WriteLine(File.ReadLines(source).First());
    }

    for (var i = 0; i < rows; i++)
    {
        writer.WriteLine(shift(lines[i % lines.Length], i / lines.Length));
    }

    return file;
}

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Yardmaster.slnx")))
        {
            return dir.FullName;
        }
    }

    throw new InvalidOperationException("Yardmaster.slnx not found above " + AppContext.BaseDirectory);
}
