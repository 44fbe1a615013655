namespace Yardmaster.Core.Placement;

/// <summary>
/// The serving scheduler's claim on a node's memory: a model replica of a request of class <paramref name="Priority"/> waits for
/// <paramref name="Bytes"/> to be free for models (beyond what models already hold) on node <paramref name="Node"/>. While it stands,
/// steps cannot take that memory, and the job scheduler stops preemptible steps of less urgent classes until it is free
/// (<see cref="SchedulingPass.Reclaim"/>).
/// </summary>
/// <param name="Node">The node's index on the ledger.</param>
/// <param name="Bytes">Memory models need free, bytes.</param>
/// <param name="Priority">The most urgent class waiting for it: only steps of less urgent classes are stopped for it (any preemptible one within <c>pool.serving_reserve</c>).</param>
/// <param name="Owner">Who claims, in words (the model's name); one claim per owner.</param>
public readonly record struct ServingClaim(int Node, long Bytes, PriorityClass Priority, string Owner);
