namespace Yardmaster.Simulation.Serving;

/// <summary>The policies one simulated run uses, by their configuration names.</summary>
/// <param name="Label">The row's name in the summary (fcfs, default, ...).</param>
/// <param name="Queue">The queue policy (<c>scheduler.queue</c>).</param>
/// <param name="Eviction">The eviction policy (<c>scheduler.eviction</c>, or <c>belady</c>, the offline bound).</param>
/// <param name="Routing">The routing policy (<c>scheduler.routing</c>).</param>
/// <param name="Admission">True for the gateway's admission control (refuse at once what cannot meet its deadline); false admits every request to wait.</param>
internal sealed record SimPolicies(string Label, string Queue, string Eviction, string Routing, bool Admission);
