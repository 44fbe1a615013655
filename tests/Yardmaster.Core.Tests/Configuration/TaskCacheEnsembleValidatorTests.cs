using Yardmaster.Core.Configuration;

namespace Yardmaster.Core.Tests.Configuration;

/// <summary>The validator's rules for a task's <c>cache</c> and <c>ensemble</c>: each broken rule one error naming its field.</summary>
public sealed class TaskCacheEnsembleValidatorTests
{
    private static readonly ModelDefinition[] _models = [new() { Name = "a", Path = "/a.gguf" }, new() { Name = "b", Path = "/b.gguf" }];
    private static readonly TaskDefinition _ensemble = new() { Name = "e", Ensemble = new EnsembleSettings { Members = ["a", "b"], Combine = EnsembleCombine.Vote } };

    public static TheoryData<string, string, string> Broken => new()
    {
        { "cache ttl", "tasks[0].cache.ttl", "must be positive" },
        { "cache entries", "tasks[0].cache.max_entries", "must be at least 1 (was 0)" },
        { "cache bytes", "tasks[0].cache.max_bytes", "must be at least 1KiB (was 100 bytes)" },
        { "no members", "tasks[0].ensemble.members", "an ensemble needs at least one member" },
        { "unknown member", "tasks[0].ensemble.members[1]", "'nope' is neither a declared model nor a task" },
        { "repeated member", "tasks[0].ensemble.members[1]", "repeats 'a'" },
        { "self member", "tasks[0].ensemble.members[1]", "'e' is the ensemble itself" },
        { "models too", "tasks[0].models", "an ensemble task names its members in ensemble.members" },
        { "judge missing", "tasks[0].ensemble.judge", "combine: judge needs a judge" },
        { "judge not judging", "tasks[0].ensemble.judge", "is used by combine: judge only (combine is vote)" },
        { "judge unknown", "tasks[0].ensemble.judge", "'nope' is neither a declared model nor a task" },
        { "min too high", "tasks[0].ensemble.min_members", "must be between 1 and the number of members (2) (was 3)" },
        { "cycle", "tasks[0].ensemble.members[1]", "'f' leads back to 'e': e → f → e" },
        { "judge cycle", "tasks[0].ensemble.judge", "'f' leads back to 'e': e → f → e" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void Validate_OneRuleBroken_OneErrorNamingFieldAndRule(string name, string field, string message)
    {
        var errors = DefinitionValidator.Validate(Config(name)).Where(e => e.Field.StartsWith("tasks[0]", StringComparison.Ordinal));

        var error = Assert.Single(errors);
        Assert.Equal(field, error.Field);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_EnsembleOfModelsAndTaskWithCache_NoErrors()
    {
        var config = new YardConfig
        {
            Models = _models,
            Tasks =
            [
                new TaskDefinition { Name = "t", Models = ["a"], Cache = new ResultCacheSettings() },
                _ensemble with { Ensemble = new EnsembleSettings { Members = ["a", "t"], Combine = EnsembleCombine.Judge, Judge = "b", MinMembers = 2 } },
            ],
        };

        Assert.Empty(DefinitionValidator.Validate(config));
    }

    [Fact]
    public void ValidateTask_FromApiCycleThroughRegistry_Refused()
    {
        var other = new EnsembleSettings { Members = ["a", "e"] };
        var errors = DefinitionValidator.ValidateTask(_ensemble with { Ensemble = new EnsembleSettings { Members = ["a", "f"] } }, ["a", "b"], ["f"], name => name == "f" ? other : null);

        Assert.Equal("ensemble.members[1]: 'f' leads back to 'e': e → f → e", Assert.Single(errors).ToString());
    }

    private static YardConfig Config(string broken)
    {
        var e = _ensemble.Ensemble!;
        TaskDefinition task = broken switch
        {
            "cache ttl" => new() { Name = "t", Models = ["a"], Cache = new ResultCacheSettings { Ttl = TimeSpan.Zero } },
            "cache entries" => new() { Name = "t", Models = ["a"], Cache = new ResultCacheSettings { MaxEntries = 0 } },
            "cache bytes" => new() { Name = "t", Models = ["a"], Cache = new ResultCacheSettings { MaxBytes = 100 } },
            "no members" => _ensemble with { Ensemble = e with { Members = [] } },
            "unknown member" => _ensemble with { Ensemble = e with { Members = ["a", "nope"] } },
            "repeated member" => _ensemble with { Ensemble = e with { Members = ["a", "a"] } },
            "self member" => _ensemble with { Ensemble = e with { Members = ["a", "e"] } },
            "models too" => _ensemble with { Models = ["a"] },
            "judge missing" => _ensemble with { Ensemble = e with { Combine = EnsembleCombine.Judge } },
            "judge not judging" => _ensemble with { Ensemble = e with { Judge = "a" } },
            "judge unknown" => _ensemble with { Ensemble = e with { Combine = EnsembleCombine.Judge, Judge = "nope" } },
            "min too high" => _ensemble with { Ensemble = e with { MinMembers = 3 } },
            "cycle" => _ensemble with { Ensemble = e with { Members = ["a", "f"] } },
            "judge cycle" => _ensemble with { Ensemble = e with { Combine = EnsembleCombine.Judge, Judge = "f" } },
            _ => throw new ArgumentOutOfRangeException(nameof(broken)),
        };
        var others = broken is "cycle" or "judge cycle" ? new[] { new TaskDefinition { Name = "f", Ensemble = new EnsembleSettings { Members = ["b", "e"] } } } : [];
        return new YardConfig { Models = _models, Tasks = [task, .. others] };
    }
}
