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
    /// pass whose most urgent sequence is of this class or less urgent on its threads less those cores (at least one), leaving
    /// them to the steps; passes with a more urgent sequence use every thread. <c>true</c> is <c>low</c> (passes of <c>low</c>
    /// and <c>batch</c> sequences alone), a class name that class, <c>false</c> (null) off. Default <c>normal</c>: passes that
    /// carry a <c>high</c> or <c>critical</c> request keep every thread; measured live beside a batch pipeline, online SLO
    /// attainment as a static split's and 1.7x its batch work, where off did 1.4x (docs/results.md, "One pool against a static
    /// split").
    /// </summary>
    public PriorityClass? BackgroundThreadsFollowSteps { get; init; } = PriorityClass.Normal;
}
