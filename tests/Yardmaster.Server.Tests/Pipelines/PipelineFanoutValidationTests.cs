using Yardmaster.Core.Pipelines;
using Yardmaster.Runtime.Pipelines;

namespace Yardmaster.Server.Tests.Pipelines;

/// <summary><c>when:</c> and <c>map:</c> refused at validation, each error at the field's path and line.</summary>
public sealed class PipelineFanoutValidationTests
{
    private static readonly PipelineEnvironment Local = new() { Nodes = [new NodeCapacity("local", 4000, 8L << 30, 0)] };

    [Theory]
    [InlineData("steps.eval.outputs.score <", "steps[2].when", "column 27: expected a value (a number, a string, true, false, null, steps.ID.outputs.KEY or a parenthesis) at the end: steps.eval.outputs.score <▸")]
    [InlineData("steps.eval.outputs.score < 0.8 )", "steps[2].when", "column 32: unexpected ')'; expected and, or or the end: steps.eval.outputs.score < 0.8 ▸)")]
    [InlineData("steps.other.outputs.x == 1", "steps[2].when", "steps.other: 'gate' does not need 'other' (directly or through its needs), so it may not have ended when the condition is decided; add it to needs")]
    [InlineData("steps.nope.state == 'succeeded'", "steps[2].when", "steps.nope: unknown step 'nope'")]
    [InlineData("steps.gate.outputs.x == 1", "steps[2].when", "steps.gate is this step; a condition reads the steps it needs")]
    public void LoadText_BadWhen_ErrorAtTheStepsWhenWithTheColumn(string when, string field, string message)
    {
        var result = PipelineLoader.LoadText($"""
            name: p
            steps:
              - id: eval
                run: 'true'
              - id: other
                run: 'true'
              - id: gate
                needs: eval
                when: "{when.Replace("\"", "\\\"", StringComparison.Ordinal)}"
                run: 'true'
            """, "p.yaml", Local);

        Assert.Null(result.Pipeline);
        var error = Assert.Single(result.Errors);
        Assert.Equal((field, message, 9), (error.Field, error.Message, error.Line));
    }

    [Fact]
    public void LoadText_WhenReadsAStepNeededThroughAnother_Valid()
    {
        var result = PipelineLoader.LoadText("""
            name: p
            steps:
              - id: eval
                run: 'true'
              - id: train
                needs: eval
                run: 'true'
              - id: gate
                needs: train
                when: steps.eval.outputs.score < 0.8 and steps.train.state == 'succeeded'
                run: 'true'
            """, "p.yaml", Local);

        Assert.Empty(result.Errors);
        Assert.Equal("steps.eval.outputs.score < 0.8 and steps.train.state == 'succeeded'", result.Pipeline!.Steps[2].When);
    }

    [Theory]
    [InlineData("map: { items: [a, b], max_parallel: 0 }", "steps[1].map.max_parallel", "must be at least 1; found 0")]
    [InlineData("map: { items: [] }", "steps[1].map.items", "the list is empty; a map needs at least one item")]
    [InlineData("map: { max_parallel: 2 }", "steps[1].map", "a map needs one of items (a list), lines (a file, one item per line) or files (a glob)")]
    [InlineData("map: { items: [a], lines: in.jsonl }", "steps[1].map", "a map has exactly one of items, lines and files")]
    [InlineData("map: { lines: ../in.jsonl }", "steps[1].map.lines", "'../in.jsonl' must be a path inside the run's working directory (relative, without '..')")]
    [InlineData("map: { files: /data/*.txt }", "steps[1].map.files", "'/data/*.txt' must be a path inside the run's working directory (relative, without '..')")]
    [InlineData("map: { items: [a], parallel: 2 }", "steps[1].map.parallel", "unknown key 'parallel'")]
    public void LoadText_BadMap_ErrorAtTheMapField(string map, string field, string message)
    {
        var result = PipelineLoader.LoadText($"""
            name: p
            steps:
              - id: prepare
                run: 'true'
              - id: each
                needs: prepare
                run: 'true'
                {map}
            """, "p.yaml", Local);

        Assert.Null(result.Pipeline);
        var error = Assert.Single(result.Errors);
        Assert.Equal(field, error.Field);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(8, error.Line);
    }

    [Fact]
    public void LoadText_MapItems_ScalarsAsTextAndMappingsAsJson()
    {
        var result = PipelineLoader.LoadText("""
            name: p
            steps:
              - id: each
                run: 'true'
                map:
                  items: [small, 2, { model: large, shots: 5, tags: [a, b] }]
                  max_parallel: 2
            """, "p.yaml", Local);

        Assert.Empty(result.Errors);
        var map = result.Pipeline!.Steps[0].Map!;
        Assert.Equal(["small", "2", """{"model":"large","shots":5,"tags":["a","b"]}"""], map.Items);
        Assert.Equal(2, map.MaxParallel);
    }
}
