namespace Yardmaster.Core.Cluster;

/// <summary>One <c>yard serve</c> instance sharing the store, as its last heartbeat left it.</summary>
/// <param name="Id">Unique per process start (host, pid and a random suffix).</param>
/// <param name="Url">Where its API answers, e.g. <c>http://10.0.0.5:8080</c>.</param>
/// <param name="LastSeen">Its last heartbeat, by the store's clock.</param>
public sealed record ClusterInstance(string Id, string Url, DateTimeOffset LastSeen);
