using System.Globalization;
using Yardmaster.Bandwidth;

// Yardmaster.Bandwidth [--mib N] [--passes N] [--threads "1 2"] [--json]
// Prints the machine's sustained memory read bandwidth per thread count: one line each, or one JSON
// object {"bytes":..., "passes":..., "load_bits":..., "gbps":{"1":x,"2":y}} with --json (what
// bench/model-server.sh reads).
var mib = 1024L;
var passes = 20;
var threadCounts = new List<int> { 1, 2 };
var json = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--mib": mib = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--passes": passes = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--threads":
            threadCounts = [.. args[++i].Split([' ', ','], StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
            break;
        case "--json": json = true; break;
        default:
            await Console.Error.WriteLineAsync($"usage: Yardmaster.Bandwidth [--mib N] [--passes N] [--threads \"1 2\"] [--json]; unknown argument '{args[i]}'");
            return 2;
    }
}

using var probe = new ReadBandwidth(mib << 20);
var results = threadCounts.Select(t => (Threads: t, GBps: probe.Measure(t, passes))).ToList();
if (json)
{
    var rates = string.Join(", ", results.Select(r => string.Create(CultureInfo.InvariantCulture, $"\"{r.Threads}\": {r.GBps:F2}")));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"bytes\": {probe.Bytes}, \"passes\": {passes}, \"load_bits\": {ReadBandwidth.LoadBits}, \"gbps\": {{{rates}}}}}"));
}
else
{
    foreach (var (threads, rate) in results)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"read bandwidth, {threads} thread{(threads == 1 ? "" : "s")}: {rate:F2} GB/s (best of {passes} passes over {probe.Bytes >> 20} MiB, {ReadBandwidth.LoadBits}-bit loads)"));
    }
}

return 0;
