using Yardmaster.Core.Pipelines;

namespace Yardmaster.Core.Tests.Pipelines;

public sealed class PipelineGraphTests
{
    public static TheoryData<string, string[]?> Cycles => new()
    {
        { "a:b b:c c:a", ["a", "b", "c", "a"] },
        { "a:a", ["a", "a"] },
        { "x: p:q q:p", ["p", "q", "p"] },
        { "a: b:a c:a d:b,c", null },
        { "a: b:a c:b d:c,a", null },
        { "a:b b: c:a,b d:c e:d,b", null },
    };

    [Theory]
    [MemberData(nameof(Cycles))]
    public void FindCycle_SmallGraphs_ReturnsACycleWhereEachNeedsTheNext(string spec, string[]? expected)
    {
        var graph = PipelineGraph.Build(Steps(spec));

        var cycle = graph.FindCycle();

        Assert.Equal(expected, cycle);
        if (cycle is not null)
        {
            for (var i = 0; i + 1 < cycle.Count; i++)
            {
                Assert.Contains(cycle[i + 1], graph.Steps[graph.Index[cycle[i]]].Needs);
            }
        }
    }

    [Fact]
    public void FindCycle_LongChainClosedAtTheEnd_FindsItWithoutExhaustingTheStack()
    {
        var steps = Enumerable.Range(0, 20_000).Select(i => new StepDefinition { Id = $"s{i}", Needs = [$"s{(i + 1) % 20_000}"], Run = "true" }).ToList();

        var cycle = PipelineGraph.Build(steps).FindCycle();

        Assert.NotNull(cycle);
        Assert.Equal(20_001, cycle.Count);
    }

    [Fact]
    public void RemainingCriticalPath_Diamond_LongestChainToTheEnd()
    {
        var graph = PipelineGraph.Build(Steps("a: b:a c:a d:b,c"));
        double[] durations = [1, 2, 5, 1];

        var path = graph.RemainingCriticalPath(i => durations[i]);

        Assert.Equal([7.0, 3.0, 6.0, 1.0], path);
    }

    [Fact]
    public void TopologicalOrder_SmallGraph_EveryStepAfterItsNeeds()
    {
        var graph = PipelineGraph.Build(Steps("d:b,c b:a c:a a: e:"));

        var order = graph.TopologicalOrder().Select(i => graph.Steps[i].Id).ToList();

        Assert.Equal(["a", "e", "b", "c", "d"], order);
    }

    /// <summary>"b:a c:a,b": step b needs a, c needs a and b; "a:" needs nothing.</summary>
    private static List<StepDefinition> Steps(string spec) =>
        [.. spec.Split(' ').Select(s => s.Split(':')).Select(p => new StepDefinition { Id = p[0], Needs = p[1].Length == 0 ? [] : p[1].Split(','), Run = "true" })];
}
