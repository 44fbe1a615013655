using Yardmaster.Core;

namespace Yardmaster.Simulation.Mixed;

/// <summary>
/// A mixed workload on a cluster of identical CPU nodes (<see cref="MixedSimulation"/>): online traffic from an LLM trace
/// scaled to the builtin model in two classes, and a <c>batch</c> pipeline of shards (a CPU-bound step, an inference step
/// over its lines, another CPU-bound step), in one shared pool or a static split. The defaults are those of the live run,
/// <c>bench/mixed-pool.sh</c>, on one node of this machine's shape.
/// </summary>
internal sealed record MixedOptions
{
    /// <summary>Nodes in the cluster; the trace's rate is multiplied by it.</summary>
    public int Nodes { get; init; } = 1;

    /// <summary>Cores per node.</summary>
    public int Cores { get; init; } = 2;

    /// <summary>How long the workload runs; batch work is counted within it, online requests arrive within it.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Trace time divided by this on each node (0.15: 6.7 times slower), each node playing its own stretch of the trace.</summary>
    public double SpeedPerNode { get; init; } = 0.15;

    /// <summary>Trace prompt tokens divided by this give the prompt's words, at most <see cref="MaxPromptWords"/>.</summary>
    public int PromptDivisor { get; init; } = 16;

    /// <summary>Trace output tokens divided by this give the output tokens, at most <see cref="MaxOutput"/>.</summary>
    public int OutputDivisor { get; init; } = 8;

    public int MaxPromptWords { get; init; } = 400;

    public int MaxOutput { get; init; } = 128;

    /// <summary>Model tokens per prompt word (the replay sends one word per scaled token; the live run's server counted 1.80 with the 512-token vocabulary).</summary>
    public double TokensPerWord { get; init; } = 1.8;

    /// <summary>Share of the trace's requests in <c>chat</c> (high); the rest are <c>search</c> (normal).</summary>
    public double ChatShare { get; init; } = 0.3;

    public TimeSpan SloChat { get; init; } = TimeSpan.FromSeconds(4);

    public TimeSpan SloSearch { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>Slots of each replica of the split; the shared pool's replica has twice as many.</summary>
    public int Slots { get; init; } = 4;

    /// <summary>Work of one CPU-bound step, in seconds of one idle core (it runs single-threaded).</summary>
    public double CpuStepSeconds { get; init; } = 3;

    /// <summary>Inference lines per shard.</summary>
    public int Lines { get; init; } = 8;

    /// <summary>Prompt tokens of each inference line (the live run's line, as the engine counted it).</summary>
    public int LinePromptTokens { get; init; } = 124;

    /// <summary><c>max_tokens</c> of each inference line (answered in full).</summary>
    public int LineOutputTokens { get; init; } = 24;

    /// <summary>Lines of one inference step in flight at once.</summary>
    public int Concurrency { get; init; } = 4;

    /// <summary>Memory of one CPU-bound step (the ledger's; the node has <see cref="NodeMemory"/>).</summary>
    public long StepMemory { get; init; } = 128L << 20;

    /// <summary>Memory of one node for steps and models (the split gives each side half).</summary>
    public long NodeMemory { get; init; } = 4L << 30;

    /// <summary>
    /// True for <c>pool.background_threads_follow_steps</c>: the shared pool's replica runs a pass whose requests are all of
    /// <see cref="FollowFrom"/> or less urgent on half its threads while steps run on its node; false (the option off) for
    /// every pass on every thread.
    /// </summary>
    public bool BackgroundPasses { get; init; }

    /// <summary>
    /// With <see cref="BackgroundPasses"/>: the most urgent class whose passes still leave the steps their cores (the option's
    /// class; <c>true</c> is <c>low</c>, so that <c>low</c> and <c>batch</c> passes do). <c>normal</c>, the server's default,
    /// lets <c>search</c> passes do it too, keeping every thread for passes that carry a <c>high</c> (or <c>critical</c>) request.
    /// </summary>
    public PriorityClass FollowFrom { get; init; } = PriorityClass.Low;

    /// <summary>How long an inference step waits before sending a refused line again (its Retry-After).</summary>
    public TimeSpan Retry { get; init; } = TimeSpan.FromSeconds(1);
}
