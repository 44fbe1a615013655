namespace Yardmaster.Core.Placement;

/// <summary>Concurrency limits for one pass.</summary>
/// <param name="MaxStarts">How many more steps may start in all (the global limit minus those running).</param>
/// <param name="GroupSlots">Per group (run): how many more of its steps may start; the pass decrements its copy.</param>
public sealed record PassLimits(int MaxStarts, int[] GroupSlots);
