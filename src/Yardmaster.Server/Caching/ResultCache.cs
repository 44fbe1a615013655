using System.Collections.Concurrent;
using Yardmaster.Core.Configuration;

namespace Yardmaster.Server.Caching;

/// <summary>
/// The result caches of every task that has one (<c>cache:</c>), made on first use and made anew, empty, when the task's
/// cache settings change. Thread-safe.
/// </summary>
internal sealed class ResultCache : IDisposable
{
    private readonly ConcurrentDictionary<string, TaskResultCache> _tasks = new(StringComparer.Ordinal);

    /// <summary>The cache of <paramref name="task"/> (which has <see cref="TaskDefinition.Cache"/>).</summary>
    public TaskResultCache For(TaskDefinition task)
    {
        var settings = task.Cache ?? throw new ArgumentException($"task '{task.Name}' has no cache", nameof(task));
        while (true)
        {
            if (!_tasks.TryGetValue(task.Name, out var cache))
            {
                var made = new TaskResultCache(settings);
                if (_tasks.TryAdd(task.Name, made))
                {
                    return made;
                }

                made.Dispose();
                continue;
            }

            if (cache.Settings == settings)
            {
                return cache;
            }

            var renewed = new TaskResultCache(settings);
            if (_tasks.TryUpdate(task.Name, renewed, cache))
            {
                // Not disposed: a request may be reading it right now; unreferenced, it is collected.
                return renewed;
            }

            renewed.Dispose();
        }
    }

    /// <summary>Every task's counts, by task name.</summary>
    public IReadOnlyList<(string Task, CacheCounts Counts, ResultCacheSettings Settings)> Snapshot() =>
        [.. _tasks.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => (t.Key, t.Value.Counts(), t.Value.Settings))];

    public void Dispose()
    {
        foreach (var cache in _tasks.Values)
        {
            cache.Dispose();
        }
    }
}
