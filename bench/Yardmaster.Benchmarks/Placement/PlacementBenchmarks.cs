using BenchmarkDotNet.Attributes;
using Yardmaster.Core;
using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Placement;

namespace Yardmaster.Benchmarks.Placement;

/// <summary>
/// One scheduling pass of the job scheduler over a cluster: <see cref="SchedulingPass.Plan"/> of 10,000 ready
/// steps on 1,000 simulated nodes (8-64 cores, 32-512 GiB, a third with 1-8 GPUs; seeded), 3,000 steps already
/// running on them (so nodes start partly used) with predicted ends, so the first step that does not fit gets
/// an EASY reservation and every later step goes through backfill. One operation = one <c>Plan</c> call over all
/// 10,000 steps, including a copy of the 1,000 nodes into the array the pass updates in place
/// (<see cref="CopyNodes"/> measures that copy alone, to subtract). Decisions/s = 10,000 ÷ mean time, shown in
/// the <see cref="DecisionsPerSecondColumn"/>. Goal (the issue): at least 50,000 decisions/s.
/// <see cref="Load"/>: <c>fits</c> asks for about 60% of what is free (most steps start), <c>overloaded</c> for
/// about 3× (most do not, which is the expensive case: a step that fits nowhere is checked against every node).
/// </summary>
[Config(typeof(PlacementConfig))]
[MemoryDiagnoser]
public class PlacementBenchmarks
{
    /// <summary>Ready steps per pass.</summary>
    public const int ReadySteps = 10_000;

    private const int Nodes = 1_000;
    private const int Running = 3_000;
    private const int Groups = 100;
    private const long GiB = 1L << 30;
    private const double Now = 10_000;

    private static readonly int[] _coreChoices = [8, 16, 32, 48, 64];
    private static readonly long[] _memoryChoices = [32, 64, 128, 256, 512];

    private NodeResources[] _nodes = [];
    private NodeResources[] _work = [];
    private ReadyStep[] _ready = [];
    private RunningStep[] _running = [];
    private PassLimits _limits = null!;
    private SchedulingPass _pass = null!;

    /// <summary>best-fit (the default) or first-fit.</summary>
    [Params(PlacementPolicies.BestFit, PlacementPolicies.FirstFit)]
    public string Policy { get; set; } = PlacementPolicies.BestFit;

    /// <summary>fits: demand about 60% of the free capacity; overloaded: about 3×.</summary>
    [Params("fits", "overloaded")]
    public string Load { get; set; } = "fits";

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(20261122);
        _nodes = new NodeResources[Nodes];
        for (var i = 0; i < Nodes; i++)
        {
            var cores = _coreChoices[random.Next(_coreChoices.Length)];
            var memory = _memoryChoices[random.Next(_memoryChoices.Length)] * GiB;
            var gpus = random.Next(3) == 0 ? 1 + random.Next(8) : 0;
            _nodes[i] = new NodeResources(cores * 1000L, memory, gpus);
        }

        // Running steps: what they hold is taken from their node, as the ledger would have it.
        var running = new List<RunningStep>(Running);
        for (var key = 0; running.Count < Running && key < Running * 4; key++)
        {
            var node = random.Next(Nodes);
            var request = RunningRequest(random);
            if (!_nodes[node].Fits(request))
            {
                continue;
            }

            var gpus = _nodes[node].Take(request);
            var started = Now - (random.NextDouble() * 3600);
            var end = Now + 1 + (random.NextDouble() * 7200);
            var priority = (PriorityClass)random.Next(1, 5);
            running.Add(new RunningStep(1_000_000 + key, node, priority, request, started, end, Preemptible: random.Next(2) == 0, gpus, Stopping: false));
        }

        _running = [.. running];

        // Ready steps, sorted as the caller sorts them: by class (then, standing in for the critical path, longest first).
        // Unscaled, the ready steps ask for about 1.8× the CPU left free by the running ones (the binding resource).
        var scale = Load == "overloaded" ? 1.67 : 0.33;
        var ready = new ReadyStep[ReadySteps];
        for (var key = 0; key < ReadySteps; key++)
        {
            var priority = (PriorityClass)random.Next(1, 5);
            ready[key] = new ReadyStep(key, priority, ReadyRequest(random, scale), 5 + (random.NextDouble() * 3600), random.Next(Groups));
        }

        Array.Sort(ready, (a, b) => a.Priority != b.Priority ? a.Priority.CompareTo(b.Priority) : b.PredictedSeconds.CompareTo(a.PredictedSeconds));
        _ready = ready;

        var slots = new int[Groups];
        Array.Fill(slots, ReadySteps);
        _limits = new PassLimits(ReadySteps, slots);
        _pass = new SchedulingPass(PlacementPolicies.Create(Policy)!);
        _work = new NodeResources[Nodes];

        // What one pass decides, in the log (not timed): shows that the case exercises what it should.
        var plan = Plan();
        Console.WriteLine($"// {Policy} {Load}: {_running.Length} running, {ReadySteps} ready, {plan.Starts.Count} started, reserved {(plan.Reserved is null ? "none" : $"key {plan.Reserved} at +{plan.ReservedAt - Now:F0} s")}, {plan.Preemptions.Count} preempted");
    }

    /// <summary>Copies the 1,000 nodes only: the part of <see cref="Plan"/> that is not the pass.</summary>
    [Benchmark]
    public NodeResources[] CopyNodes()
    {
        _nodes.AsSpan().CopyTo(_work);
        return _work;
    }

    /// <summary>One pass over the 10,000 ready steps on a fresh copy of the nodes.</summary>
    [Benchmark]
    public PassPlan Plan()
    {
        _nodes.AsSpan().CopyTo(_work);
        return _pass.Plan(_ready, _work, _running, _limits, Now);
    }

    private static ResourceRequest RunningRequest(Random random) =>
        new(250L * (1 + random.Next(32)), GiB * (1 + random.Next(32)), random.Next(6) == 0 ? 1 + random.Next(2) : 0);

    // Mostly small steps (0.25-4 cores, 0.25-8 GiB), a tenth large (up to 32 cores, 128 GiB), one in twelve with GPUs.
    private static ResourceRequest ReadyRequest(Random random, double scale)
    {
        var large = random.Next(10) == 0;
        var cpu = large ? 1000L * (4 + random.Next(29)) : 250L * (1 + random.Next(16));
        var memory = large ? GiB * (8 + random.Next(121)) : (GiB / 4) * (1 + random.Next(32));
        var gpus = random.Next(12) == 0 ? 1 + random.Next(4) : 0;
        return new ResourceRequest((long)(cpu * scale), (long)(memory * scale), gpus);
    }
}
