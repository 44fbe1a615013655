namespace Yardmaster.Simulation.Serving;

/// <summary>The policies one simulated run uses, by their configuration names.</summary>
/// <param name="Label">The row's name in the summary (fcfs, default, ...).</param>
/// <param name="Queue">The queue policy (<c>scheduler.queue</c>).</param>
/// <param name="Eviction">The eviction policy (<c>scheduler.eviction</c>, or <c>belady</c>, the offline bound).</param>
/// <param name="Routing">The routing policy (<c>scheduler.routing</c>).</param>
/// <param name="Admission">True for the gateway's admission control (refuse at once what cannot meet its deadline); false admits every request to wait.</param>
/// <param name="EnginePreemption">True for the builtin engine's priority preemption, on models whose engines preempt (<c>preempt</c>,
/// default on for the builtin backend), as the server does: the gateway hands a busy replica a more urgent request and its least
/// urgent sequence pauses, its progress kept. The <c>fcfs</c> baselines run without it, as an engine with no notion of priority
/// does.</param>
internal sealed record SimPolicies(string Label, string Queue, string Eviction, string Routing, bool Admission, bool EnginePreemption = false);
