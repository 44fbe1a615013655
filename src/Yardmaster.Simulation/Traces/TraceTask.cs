using Yardmaster.Core;

namespace Yardmaster.Simulation.Traces;

/// <summary>A task the requests of a trace that names none are spread over (see <see cref="TraceTasks"/>).</summary>
/// <param name="Name">The task's name.</param>
/// <param name="Priority">Its class.</param>
/// <param name="Latency">Its latency SLO.</param>
/// <param name="Percent">Its share of the requests, in percent.</param>
public sealed record TraceTask(string Name, PriorityClass Priority, TimeSpan Latency, int Percent);
