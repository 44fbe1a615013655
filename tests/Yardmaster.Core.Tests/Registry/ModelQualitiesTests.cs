using System.Text.Json;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Registry;

namespace Yardmaster.Core.Tests.Registry;

public sealed class ModelQualitiesTests
{
    private static readonly DateTimeOffset _now = new(2026, 12, 5, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0.5, 100, 0.4038, 0.5962)] // Wilson 95%, the textbook example
    [InlineData(1.0, 10, 0.7225, 1.0)]
    [InlineData(0.0, 10, 0.0, 0.2775)]
    public void Interval_Wilson95_AsTabulated(double mean, int count, double low, double high)
    {
        var (l, h) = ModelQualities.Interval(mean, count);
        Assert.Equal(low, l, 4);
        Assert.Equal(high, h, 4);
    }

    [Fact]
    public void Interval_MoreAnswers_NarrowerAroundTheMean()
    {
        var (l10, h10) = ModelQualities.Interval(0.8, 10);
        var (l1000, h1000) = ModelQualities.Interval(0.8, 1000);
        Assert.True(h1000 - l1000 < h10 - l10);
        Assert.InRange(0.8, l1000, h1000);
    }

    [Fact]
    public void TryReadQuality_ScoreAndCountOnly_WilsonIntervalAndApiSource()
    {
        using var json = JsonDocument.Parse("""{"metric": "triage-v1", "score": 0.5, "count": 100, "dataset": "eval/triage.jsonl"}""");
        Assert.True(DefinitionJson.TryReadQuality(json.RootElement, "small", _now, out var q, out var errors), string.Join("; ", errors));
        Assert.Equal(("small", "triage-v1", 100, "eval/triage.jsonl", "api", _now), (q.Model, q.Metric, q.Count, q.Dataset, q.Source, q.MeasuredAt));
        Assert.Equal(0.4038, q.Low, 4);
    }

    [Theory]
    [InlineData("""{"score": 0.5, "count": 10, "dataset": "d"}""", "'metric' is required")]
    [InlineData("""{"metric": "m", "score": 1.5, "count": 10, "dataset": "d"}""", "'score' must be in [0, 1], got 1.5")]
    [InlineData("""{"metric": "m", "score": 0.5, "count": 0, "dataset": "d"}""", "'count' must be an integer >= 1, got 0")]
    [InlineData("""{"metric": "m", "score": 0.5, "count": 10, "dataset": "d", "ci_low": 0.4}""", "'ci_low' and 'ci_high' go together")]
    [InlineData("""{"metric": "m", "score": 0.5, "count": 10, "dataset": "d", "ci_low": 0.6, "ci_high": 0.7}""", "'ci_low' must be in [0, score] (was 0.6)")]
    [InlineData("""{"metric": "a/b", "score": 0.5, "count": 10, "dataset": "d"}""", "'metric' must be a name")]
    [InlineData("""{"metric": "m", "score": 0.5, "count": 10, "dataset": "d", "extra": 1}""", "extra")]
    public void TryReadQuality_BadField_ErrorNamesIt(string body, string expected)
    {
        using var json = JsonDocument.Parse(body);
        Assert.False(DefinitionJson.TryReadQuality(json.RootElement, "small", _now, out _, out var errors));
        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void TaskJson_QualityFloor_RoundTrips()
    {
        var task = new TaskDefinition { Name = "triage", Models = ["small"], Quality = new QualityFloor("triage-v1", 0.8) };
        using var json = JsonDocument.Parse(DefinitionJson.ToJson(task));
        Assert.True(DefinitionJson.TryReadTask(json.RootElement, out var read, out _));
        Assert.Equal(task.Quality, read.Quality);
    }

    [Theory]
    [InlineData("""{"name": "t", "models": ["m"], "quality": {"metric": "x"}}""", "'quality.min' is required")]
    [InlineData("""{"name": "t", "models": ["m"], "quality": {"min": 0.5}}""", "'quality.metric' is required")]
    public void TaskJson_QualityIncomplete_ErrorNamesTheField(string body, string expected)
    {
        using var json = JsonDocument.Parse(body);
        Assert.False(DefinitionJson.TryReadTask(json.RootElement, out _, out var errors));
        Assert.Contains(expected, errors);
    }

    [Fact]
    public void ValidateTask_QualityOnAnEnsemble_Refused()
    {
        var task = new TaskDefinition { Name = "t", Ensemble = new EnsembleSettings { Members = ["m"] }, Quality = new QualityFloor("x", 0.5) };
        Assert.Contains(DefinitionValidator.ValidateTask(task, ["m"], []), e => e.Field == "quality");
    }

    [Fact]
    public void ValidateTask_FloorAboveOne_RefusedAtQualityMin()
    {
        var task = new TaskDefinition { Name = "t", Models = ["m"], Quality = new QualityFloor("x", 1.2) };
        var errors = DefinitionValidator.ValidateTask(task, ["m"], []);
        Assert.Contains(errors, e => e.Field == "quality.min" && e.Message.Contains("[0, 1]", StringComparison.Ordinal));
    }
}
