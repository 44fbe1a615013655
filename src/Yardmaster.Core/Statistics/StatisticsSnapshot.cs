namespace Yardmaster.Core.Statistics;

/// <summary>The statistics at one moment, per task and per model, keyed and ordered by name (ordinal). Immutable.</summary>
/// <param name="Tasks">Per task.</param>
/// <param name="Models">Per model (a model appears once it served a request, loaded or was evicted).</param>
public sealed record StatisticsSnapshot(IReadOnlyDictionary<string, RequestStatistics> Tasks, IReadOnlyDictionary<string, ModelStatistics> Models);
