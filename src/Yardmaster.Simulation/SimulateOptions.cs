using Yardmaster.Simulation.Traces;

namespace Yardmaster.Simulation;

/// <summary>What <c>yard simulate</c> was asked, validated by the command line.</summary>
/// <param name="Trace">The trace file.</param>
/// <param name="Format">Its format.</param>
/// <param name="Nodes">The node list (alibaba-gpu: openb's node CSV); null for the default of the format.</param>
/// <param name="Config">A <c>yard.yaml</c> whose tasks, models, nodes and scheduler settings are simulated; null for the default derived from the trace.</param>
/// <param name="Policies">Policies chosen by <c>--policy KIND=NAME</c> (kind: queue, eviction, routing, placement), in addition to the baselines and bounds always run.</param>
/// <param name="LoadScale">Arrival rate multiplier (2 = twice as many requests per second); null for the format's default sweep.</param>
/// <param name="Seed">The seed of every random choice (task assignment, sampled load times).</param>
/// <param name="Output">Folder for <c>summary.json</c>, <c>summary.md</c> and the SVG plots.</param>
/// <param name="Strict">A malformed trace row is fatal instead of counted and skipped.</param>
public sealed record SimulateOptions(
    string Trace,
    TraceFormat Format,
    string? Nodes,
    string? Config,
    IReadOnlyDictionary<string, string> Policies,
    double? LoadScale,
    int Seed,
    string Output,
    bool Strict);
