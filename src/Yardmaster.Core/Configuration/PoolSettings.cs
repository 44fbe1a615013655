namespace Yardmaster.Core.Configuration;

/// <summary><c>pool:</c> how online serving and pipeline steps share this machine.</summary>
public sealed record PoolSettings
{
    /// <summary>
    /// <c>serving_reserve</c>: host memory held back for models, bytes. Steps that may not be preempted never take it; preemptible
    /// steps (<c>low</c> and <c>batch</c> pipelines by default) borrow it while models do not use it, and are stopped (SIGTERM, then
    /// <c>jobs.stop_grace</c>, then SIGKILL) when a request claims it back. Default 0: serving takes memory back only from steps of
    /// classes less urgent than its waiting requests.
    /// </summary>
    public long ServingReserve { get; init; }

    /// <summary>
    /// <c>background_threads_follow_steps</c>: while pipeline steps hold cores of this machine, a builtin replica runs a forward
    /// pass of <c>low</c> and <c>batch</c> sequences alone on its threads less those cores (at least one), leaving them to the
    /// steps; passes with a more urgent sequence use every thread. Default false: measured live, it raised batch work from
    /// 1.41x to 2.24x a static split's but cost <c>chat</c> attainment (92.6% against 97.9%), through admission refusals: the
    /// model's one service estimate learns from the slower batch answers (docs/results.md).
    /// </summary>
    public bool BackgroundThreadsFollowSteps { get; init; }
}
