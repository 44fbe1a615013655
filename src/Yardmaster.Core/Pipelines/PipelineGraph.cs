namespace Yardmaster.Core.Pipelines;

/// <summary>
/// The DAG of a pipeline by step index: what each step needs and what needs it, a topological order, and
/// the longest remaining path from each step to the end. Built once per pipeline; immutable; O(steps + edges).
/// Needs naming unknown steps are left out (the validator reports them).
/// </summary>
public sealed class PipelineGraph
{
    private readonly int[][] _needs;
    private readonly int[][] _dependants;

    private PipelineGraph(IReadOnlyList<StepDefinition> steps, Dictionary<string, int> index)
    {
        Steps = steps;
        Index = index;
        _needs = new int[steps.Count][];
        var dependants = new List<int>[steps.Count];
        for (var i = 0; i < steps.Count; i++)
        {
            dependants[i] = [];
        }

        for (var i = 0; i < steps.Count; i++)
        {
            var needs = new List<int>(steps[i].Needs.Count);
            foreach (var need in steps[i].Needs)
            {
                if (index.TryGetValue(need, out var j) && !needs.Contains(j))
                {
                    needs.Add(j);
                    dependants[j].Add(i);
                }
            }

            _needs[i] = [.. needs];
        }

        _dependants = [.. dependants.Select(d => d.ToArray())];
    }

    /// <summary>The steps, in file order; indexes below refer to this list.</summary>
    public IReadOnlyList<StepDefinition> Steps { get; }

    /// <summary>Step id to index (the first, when an id is duplicated).</summary>
    public IReadOnlyDictionary<string, int> Index { get; }

    /// <summary>Builds the graph of <paramref name="steps"/>.</summary>
    public static PipelineGraph Build(IReadOnlyList<StepDefinition> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var index = new Dictionary<string, int>(steps.Count, StringComparer.Ordinal);
        for (var i = 0; i < steps.Count; i++)
        {
            index.TryAdd(steps[i].Id, i);
        }

        return new PipelineGraph(steps, index);
    }

    /// <summary>The indexes of the steps step <paramref name="step"/> needs.</summary>
    public ReadOnlySpan<int> Needs(int step) => _needs[step];

    /// <summary>The indexes of the steps that need step <paramref name="step"/>.</summary>
    public ReadOnlySpan<int> Dependants(int step) => _dependants[step];

    /// <summary>
    /// One cycle as step ids, first id repeated at the end (<c>a, b, c, a</c>: a needs b, b needs c, c needs a),
    /// or null when the graph is acyclic. Iterative, so a 10,000-step chain does not exhaust the stack.
    /// </summary>
    public IReadOnlyList<string>? FindCycle()
    {
        var color = new byte[Steps.Count]; // 0 unseen, 1 on the current path, 2 done
        var parent = new int[Steps.Count];
        var next = new int[Steps.Count];
        for (var root = 0; root < Steps.Count; root++)
        {
            if (color[root] != 0)
            {
                continue;
            }

            var stack = new Stack<int>();
            stack.Push(root);
            color[root] = 1;
            parent[root] = -1;
            while (stack.Count > 0)
            {
                var node = stack.Peek();
                if (next[node] < _needs[node].Length)
                {
                    var child = _needs[node][next[node]++];
                    if (color[child] == 1)
                    {
                        return CyclePath(node, child, parent);
                    }

                    if (color[child] == 0)
                    {
                        color[child] = 1;
                        parent[child] = node;
                        stack.Push(child);
                    }
                }
                else
                {
                    color[node] = 2;
                    stack.Pop();
                }
            }
        }

        return null;
    }

    /// <summary>
    /// For each step, its predicted duration plus the longest chain of predicted durations through the steps
    /// that (transitively) need it: how long the run lasts from that step on, with unlimited room. The order
    /// of ready steps sorts by this, longest first. Requires an acyclic graph.
    /// </summary>
    public double[] RemainingCriticalPath(Func<int, double> duration)
    {
        ArgumentNullException.ThrowIfNull(duration);
        var order = TopologicalOrder();
        var path = new double[Steps.Count];
        for (var k = order.Length - 1; k >= 0; k--)
        {
            var i = order[k];
            var longest = 0.0;
            foreach (var d in _dependants[i])
            {
                longest = Math.Max(longest, path[d]);
            }

            path[i] = duration(i) + longest;
        }

        return path;
    }

    /// <summary>Step indexes with every step after all it needs (Kahn's algorithm, file order among equals). Requires an acyclic graph.</summary>
    public int[] TopologicalOrder()
    {
        var pending = new int[Steps.Count];
        var queue = new Queue<int>();
        for (var i = 0; i < Steps.Count; i++)
        {
            pending[i] = _needs[i].Length;
            if (pending[i] == 0)
            {
                queue.Enqueue(i);
            }
        }

        var order = new List<int>(Steps.Count);
        while (queue.TryDequeue(out var i))
        {
            order.Add(i);
            foreach (var d in _dependants[i])
            {
                if (--pending[d] == 0)
                {
                    queue.Enqueue(d);
                }
            }
        }

        if (order.Count != Steps.Count)
        {
            throw new InvalidOperationException("The pipeline's steps form a cycle; validate it first.");
        }

        return [.. order];
    }

    private string[] CyclePath(int from, int backTo, int[] parent)
    {
        // The path on the stack from backTo down to from, then back to backTo.
        var path = new List<string>();
        for (var node = from; node != backTo; node = parent[node])
        {
            path.Add(Steps[node].Id);
        }

        path.Add(Steps[backTo].Id);
        path.Reverse();
        path.Add(Steps[backTo].Id);
        return [.. path];
    }
}
