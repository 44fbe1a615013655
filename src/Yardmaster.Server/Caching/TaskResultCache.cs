using Microsoft.Extensions.Caching.Memory;
using Yardmaster.Core.Configuration;

namespace Yardmaster.Server.Caching;

/// <summary>
/// One task's answers, in a <see cref="MemoryCache"/> whose size unit is the byte: each entry is charged its bytes, and
/// at least <c>max_bytes / max_entries</c>, so the cache holds at most <c>max_entries</c> answers and <c>max_bytes</c>
/// bytes. When full, the cache compacts (expired first, then the least recently used) and refuses the answer that did not
/// fit. Thread-safe.
/// </summary>
internal sealed class TaskResultCache : IDisposable
{
    private const int EntryOverhead = 64; // the key and the record, roughly
    private readonly MemoryCache _cache;
    private readonly long _minimumCharge;
    private readonly PostEvictionDelegate _evicted;
    private long _hits;
    private long _misses;
    private long _bypasses;
    private long _bytes;
    private long _evictions;

    public TaskResultCache(ResultCacheSettings settings)
    {
        Settings = settings;
        _minimumCharge = Math.Max(1, (settings.MaxBytes + settings.MaxEntries - 1) / settings.MaxEntries);
        _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = settings.MaxBytes, CompactionPercentage = 0.1 });
        _evicted = OnEvicted;
    }

    /// <summary>The settings this cache was made with.</summary>
    public ResultCacheSettings Settings { get; }

    /// <summary>The answer stored under <paramref name="key"/>, counting a hit or a miss.</summary>
    public CachedAnswer? Get(CacheKey key)
    {
        if (_cache.TryGetValue(key, out CachedAnswer? answer) && answer is not null)
        {
            Interlocked.Increment(ref _hits);
            return answer;
        }

        Interlocked.Increment(ref _misses);
        return null;
    }

    /// <summary>Counts a request that did not use the cache.</summary>
    public void CountBypass() => Interlocked.Increment(ref _bypasses);

    /// <summary>Stores <paramref name="answer"/> for <see cref="ResultCacheSettings.Ttl"/>; an answer larger than the whole cache is not stored.</summary>
    public void Set(CacheKey key, CachedAnswer answer)
    {
        var bytes = answer.Body.LongLength + EntryOverhead;
        var charge = Math.Max(bytes, _minimumCharge);
        if (charge > Settings.MaxBytes)
        {
            return;
        }

        Interlocked.Add(ref _bytes, bytes);
        var options = new MemoryCacheEntryOptions { Size = charge, AbsoluteExpirationRelativeToNow = Settings.Ttl };
        options.RegisterPostEvictionCallback(_evicted, bytes);
        _cache.Set(key, answer, options);
    }

    /// <summary>The counters and what is held now.</summary>
    public CacheCounts Counts() =>
        new(Interlocked.Read(ref _hits), Interlocked.Read(ref _misses), Interlocked.Read(ref _bypasses), _cache.Count, Math.Max(0, Interlocked.Read(ref _bytes)), Interlocked.Read(ref _evictions));

    public void Dispose() => _cache.Dispose();

    private void OnEvicted(object key, object? value, EvictionReason reason, object? state)
    {
        // Every entry set leaves once, whatever the reason (replaced, expired, compacted, or refused for room).
        Interlocked.Add(ref _bytes, -(long)state!);
        if (reason == EvictionReason.Capacity)
        {
            Interlocked.Increment(ref _evictions);
        }
    }
}
