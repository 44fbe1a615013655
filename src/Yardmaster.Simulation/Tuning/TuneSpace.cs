using Yardmaster.Core.Configuration;

namespace Yardmaster.Simulation.Tuning;

/// <summary>The values <see cref="PolicyTuner"/> tries for each parameter besides the current one; an empty list keeps that parameter as it is.</summary>
/// <param name="Queues">Queue policies.</param>
/// <param name="DefaultWaits">Aging bounds of critical, high and normal.</param>
/// <param name="LowWaits">Aging bounds of low.</param>
/// <param name="BatchWaits">Aging bounds of batch.</param>
/// <param name="MaxQueues">Queue bounds.</param>
/// <param name="Evictions">Eviction policies.</param>
/// <param name="Registry">
/// True to search the tasks' weights and the models' keep-alive and replicas too (<see cref="TuneKnobs"/>): <c>yard
/// tune</c>, which can put them in force through <c>/api/tasks</c> and <c>/api/models</c>; false for
/// <c>scheduler.adapt</c>, which changes the scheduler's settings only.
/// </param>
internal sealed record TuneSpace(
    IReadOnlyList<string> Queues,
    IReadOnlyList<TimeSpan> DefaultWaits,
    IReadOnlyList<TimeSpan> LowWaits,
    IReadOnlyList<TimeSpan> BatchWaits,
    IReadOnlyList<int> MaxQueues,
    IReadOnlyList<string> Evictions,
    bool Registry = false)
{
    /// <summary>The weights tried for a task that shares its class with another task (its own halved and doubled, within these).</summary>
    public static readonly (double Min, double Max) Weights = (1.0 / 16, 16);

    /// <summary>The keep-alive values tried for a model with replicas that may unload when idle (null: never).</summary>
    public static IReadOnlyList<TimeSpan?> KeepAlives { get; } = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromHours(1), null];

    /// <summary>The most replicas tried for a model.</summary>
    public const int MaxReplicas = 16;

    /// <summary>What <c>yard tune</c> searches.</summary>
    public static TuneSpace Full { get; } = new(
        Core.Queueing.QueuePolicies.Names,
        [TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2)],
        [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10)],
        [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30)],
        [256, 1024, 4096, 16384],
        Core.Models.EvictionPolicies.Names,
        Registry: true);

    /// <summary>
    /// The space <c>scheduler.adapt.bounds</c> allows: for each parameter it names, <see cref="Full"/>'s values within its
    /// range plus the range's ends; a parameter it leaves out stays as configured. No bounds: <see cref="Full"/>.
    /// </summary>
    public static TuneSpace Within(AdaptBounds? bounds)
    {
        if (bounds is null)
        {
            return Full;
        }

        return new(
            bounds.Queues ?? [],
            Waits(bounds, "default", Full.DefaultWaits),
            Waits(bounds, "low", Full.LowWaits),
            Waits(bounds, "batch", Full.BatchWaits),
            bounds.MaxQueue is { } q ? Between(Full.MaxQueues, q.Min, q.Max) : [],
            bounds.Evictions ?? []);
    }

    private static IReadOnlyList<TimeSpan> Waits(AdaptBounds bounds, string key, IReadOnlyList<TimeSpan> values) =>
        bounds.MaxWait.TryGetValue(key, out var range) ? Between(values, range.Min, range.Max) : [];

    private static IReadOnlyList<T> Between<T>(IReadOnlyList<T> values, T min, T max)
        where T : IComparable<T> =>
        [.. values.Where(v => v.CompareTo(min) > 0 && v.CompareTo(max) < 0).Prepend(min).Append(max).Distinct().Order()];
}
