namespace Yardmaster.Core.Execution;

/// <summary>
/// A step process on an engine that queues and places work itself (Slurm with <c>placement: slurm</c>): it says on
/// which node the engine started it, so that the scheduler's ledger holds the attempt's share there from then on.
/// </summary>
public interface IPlacedProcess
{
    /// <summary>
    /// Completes with the node's name once the engine has started the attempt on a node (at once when it was already
    /// running when found again); stays incomplete for an attempt that ends before it starts. Never faults.
    /// </summary>
    Task<string> Placed { get; }
}
