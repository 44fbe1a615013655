namespace Yardmaster.Server.Caching;

/// <summary>One task's result cache at a moment: lookups by outcome since the server started, and what it holds now.</summary>
/// <param name="Hits">Requests answered from the cache.</param>
/// <param name="Misses">Cacheable requests not found (then answered by a model and stored when complete).</param>
/// <param name="Bypasses">Requests that did not use the cache: not deterministic, or <c>Cache-Control: no-cache</c>.</param>
/// <param name="Entries">Answers held.</param>
/// <param name="Bytes">Bytes of the answers held.</param>
/// <param name="Evictions">Answers removed for room (capacity), not counting expiry.</param>
internal sealed record CacheCounts(long Hits, long Misses, long Bypasses, long Entries, long Bytes, long Evictions);
