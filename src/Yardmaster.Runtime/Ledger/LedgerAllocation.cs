using Yardmaster.Core.Pipelines;

namespace Yardmaster.Runtime.Ledger;

/// <summary>A reservation held on a node, with whom it belongs to.</summary>
/// <param name="Node">Index of its node.</param>
/// <param name="Owner">Who holds it: a step, as <c>RUN/STEP</c>.</param>
/// <param name="Request">What it holds.</param>
/// <param name="Gpus">The mask of the GPU indexes it holds.</param>
public sealed record LedgerAllocation(int Node, string Owner, ResourceRequest Request, ulong Gpus);
