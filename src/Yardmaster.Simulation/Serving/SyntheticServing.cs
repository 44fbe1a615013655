using System.Globalization;
using Yardmaster.Core;
using Yardmaster.Core.Configuration;

namespace Yardmaster.Simulation.Serving;

/// <summary>
/// A synthetic serving workload at any size, for the simulator's scale benchmark (<c>bench/Yardmaster.SimScale</c>) and its
/// memory test: <paramref name="Gpus"/> GPUs of <see cref="GpuMemory"/> ("gpu0", "gpu1", ...: in the simulator a node is a
/// memory account), <paramref name="Models"/> GPU models of 4 to 32 GiB with Zipf popularity, and Poisson arrivals of
/// <paramref name="RatePerGpu"/> requests a second per GPU. Deterministic for a <paramref name="Seed"/>.
/// </summary>
/// <param name="Gpus">GPUs (memory accounts).</param>
/// <param name="Models">Models; model k is requested with weight 1/(k+1)^<see cref="ZipfExponent"/>.</param>
/// <param name="RatePerGpu">Mean arrivals a second per GPU.</param>
/// <param name="Seed">The random seed.</param>
internal sealed record SyntheticServing(int Gpus, int Models, double RatePerGpu = 1.5, int Seed = 1)
{
    /// <summary>Memory of one GPU: 40 GiB.</summary>
    public const long GpuMemory = 40L << 30;

    /// <summary>The popularity skew.</summary>
    public const double ZipfExponent = 0.9;

    private static readonly int[] _sizesGiB = [4, 8, 8, 14, 16, 24, 32];

    /// <summary>The tasks: <c>chat</c> (high, TTFT 2 s, latency 30 s, 20%), <c>search</c> (normal, 60 s, 25%), <c>batch</c> (batch, 10 min, 45%), each over every model, the request naming its model; and <c>assist</c> (normal, 60 s, 10%) choosing among the three most popular models.</summary>
    public IReadOnlyList<TaskDefinition> Tasks()
    {
        var all = Enumerable.Range(0, Models).Select(Name).ToList();
        return
        [
            new TaskDefinition { Name = "chat", Priority = PriorityClass.High, Ttft = TimeSpan.FromSeconds(2), Latency = TimeSpan.FromSeconds(30), Models = all },
            new TaskDefinition { Name = "search", Priority = PriorityClass.Normal, Latency = TimeSpan.FromSeconds(60), Models = all },
            new TaskDefinition { Name = "batch", Priority = PriorityClass.Batch, Latency = TimeSpan.FromMinutes(10), Models = all },
            new TaskDefinition { Name = "assist", Priority = PriorityClass.Normal, Latency = TimeSpan.FromSeconds(60), Models = [.. all.Take(Math.Min(3, Models))] },
        ];
    }

    /// <summary>The setup: the tasks, the models (size, slots, speed, replicas.max sized to twice their expected share of the load, at most 64; the 20 most popular keep one warm), the GPUs.</summary>
    public SimSetup Setup()
    {
        var weights = Weights();
        var rate = RatePerGpu * Gpus;
        var models = new List<(ModelDefinition, ModelSpeed)>(Models);
        for (var k = 0; k < Models; k++)
        {
            var (definition, speed) = Model(k);
            var service = speed.Service(MeanPrompt, MeanOutput).TotalSeconds;
            var needed = weights[k] * rate * service / definition.Slots;
            models.Add((definition with { ReplicasMax = Math.Clamp((int)Math.Ceiling(2 * needed), 1, 64), ReplicasMin = k < 20 ? 1 : 0 }, speed));
        }

        var gpus = Enumerable.Range(0, Gpus).Select(i => new GpuDevice(i, GpuMemory)).ToList();
        var describe = string.Create(CultureInfo.InvariantCulture, $"{Gpus} GPUs of 40 GiB, {Models} models, {rate:0} requests/s");
        return new SimSetup(Tasks(), models, new DeviceSettings { CpuMemory = 0, Gpus = gpus }, new SchedulerSettings(), _ => 0, describe);
    }

    /// <summary><paramref name="count"/> requests from <paramref name="epoch"/>, generated as they are read (nothing is kept).</summary>
    public IEnumerable<SimRequest> Requests(long count, DateTimeOffset epoch)
    {
        var tasks = Tasks();
        var cdf = Cdf(Weights());
        var random = new Random(Seed);
        var rate = RatePerGpu * Gpus;
        var at = 0.0;
        for (long i = 0; i < count; i++)
        {
            at += -Math.Log(1 - random.NextDouble()) / rate;
            var draw = random.Next(100);
            var taskIndex = draw < 20 ? 0 : draw < 45 ? 1 : draw < 90 ? 2 : 3;
            var task = tasks[taskIndex];
            var model = Array.BinarySearch(cdf, random.NextDouble());
            model = model < 0 ? ~model : model;
            var prompt = 50 + random.Next(2 * (MeanPrompt - 50));
            var output = 10 + random.Next(2 * (MeanOutput - 10));
            var arrival = epoch + TimeSpan.FromTicks((long)(at * TimeSpan.TicksPerSecond));
            yield return new SimRequest
            {
                Id = i + 1,
                Task = task.Name,
                Priority = task.Priority,
                Weight = task.Weight,
                Arrival = arrival,
                Deadline = arrival + task.Latency!.Value,
                Cost = Math.Max(1, output),
                TaskIndex = taskIndex,
                PromptTokens = prompt,
                OutputTokens = output,
                TraceModel = taskIndex == 3 ? null : Name(Math.Min(model, Models - 1)),
            };
        }
    }

    /// <summary>The SLO of each task, for <see cref="Reporting.RunSummaryBuilder"/>.</summary>
    public Dictionary<string, Reporting.SloTarget> Slos() =>
        Tasks().ToDictionary(t => t.Name, t => new Reporting.SloTarget(t.Ttft, t.Latency), StringComparer.Ordinal);

    private const int MeanPrompt = 800;

    private const int MeanOutput = 200;

    private static string Name(int k) => "m" + k.ToString("000", CultureInfo.InvariantCulture);

    /// <summary>Model k: its size (from a fixed list by k), slots (16 up to 8 GiB, 8 up to 16 GiB, else 4), speed (decode 400/√GiB tokens/s, prefill 40× that) and load time (2 s + 1 s per 2 GiB).</summary>
    private static (ModelDefinition, ModelSpeed) Model(int k)
    {
        var gib = _sizesGiB[(int)((k * 7919L) % _sizesGiB.Length)];
        var decode = 400 / Math.Sqrt(gib);
        var definition = new ModelDefinition
        {
            Name = Name(k),
            Path = Name(k) + ".safetensors",
            Device = DeviceKind.Gpu,
            Memory = (long)gib << 30,
            Slots = gib <= 8 ? 16 : gib <= 16 ? 8 : 4,
            KeepAlive = TimeSpan.FromMinutes(2),
        };
        return (definition, new ModelSpeed(40 * decode, decode, TimeSpan.FromSeconds(2 + (gib / 2.0))));
    }

    private double[] Weights()
    {
        var weights = Enumerable.Range(0, Models).Select(k => 1 / Math.Pow(k + 1, ZipfExponent)).ToArray();
        var sum = weights.Sum();
        return [.. weights.Select(w => w / sum)];
    }

    private static double[] Cdf(double[] weights)
    {
        var cdf = new double[weights.Length];
        var total = 0.0;
        for (var i = 0; i < weights.Length; i++)
        {
            total += weights[i];
            cdf[i] = total;
        }

        return cdf;
    }
}
