namespace Yardmaster.Runtime.Pipelines;

/// <summary>
/// The items of a <c>map:</c> step while it runs: each item's state, retries and outputs, the items waiting for a
/// place (lowest index first) and the attempts running. Owned by the scheduler's loop.
/// </summary>
internal sealed class MapProgress(IReadOnlyList<string> items)
{
    public IReadOnlyList<string> Items { get; } = items;

    public MapItemState[] States { get; } = new MapItemState[items.Count];

    /// <summary>Per item: its successful attempt's outputs (compact JSON).</summary>
    public string?[] Results { get; } = new string?[items.Count];

    public int[] RetriesUsed { get; } = new int[items.Count];

    /// <summary>Items waiting for a place, in index order.</summary>
    public SortedSet<int> Pending { get; } = [.. Enumerable.Range(0, items.Count)];

    public HashSet<ActiveAttempt> Running { get; } = [];

    /// <summary>Items waiting out a retry delay, with their timers.</summary>
    public Dictionary<int, ITimer> Retrying { get; } = [];

    /// <summary>When each retrying item may start again (its timer may fire a little early: it is re-armed for the rest).</summary>
    public Dictionary<int, DateTimeOffset> RetryAt { get; } = [];

    public int Succeeded { get; set; }

    public int Failed { get; set; }

    /// <summary>The first item that failed for good, with why: the step's reason names it.</summary>
    public string? FirstFailure { get; set; }

    /// <summary>Marks <paramref name="item"/> succeeded with its outputs; it no longer waits for a place.</summary>
    public void Succeed(int item, string? result)
    {
        Pending.Remove(item);
        (States[item], Results[item]) = (MapItemState.Succeeded, result);
        Succeeded++;
    }

    /// <summary>True when no item runs, waits for a place or for a retry: the step can end.</summary>
    public bool Done => Running.Count == 0 && Pending.Count == 0 && Retrying.Count == 0;
}
