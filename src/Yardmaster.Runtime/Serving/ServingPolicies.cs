using Yardmaster.Core.Models;
using Yardmaster.Core.Queueing;

namespace Yardmaster.Runtime.Serving;

/// <summary>The policies the scheduler consults, chosen by name in <c>scheduler:</c>.</summary>
/// <param name="Queue">Orders each model's queue.</param>
/// <param name="Eviction">Makes one eviction policy per device.</param>
/// <param name="Routing">Picks the replica for the next request.</param>
public sealed record ServingPolicies(IQueuePolicy Queue, Func<IEvictionPolicy> Eviction, IRoutingPolicy Routing);
