namespace Yardmaster.Simulation.Reporting;

/// <summary>
/// One run over a trace (a live replay, or one simulated policy at one load): per task and in all, what was sent and
/// what became of it. Written by <see cref="SummaryWriter"/>; built by <see cref="RunSummaryBuilder"/>.
/// </summary>
/// <param name="Label">What was run (<c>replay</c>, <c>fcfs at 1.0×</c>, ...).</param>
/// <param name="Parameters">What it was run with, for the reader (<c>speed</c>, <c>url</c>, <c>policy</c>, ...), in order.</param>
/// <param name="Duration">From the first request sent (arrived) to the last answer; goodput is per second of it.</param>
/// <param name="Tasks">One line per task, by name.</param>
/// <param name="All">The total over every task (its <see cref="TaskSummary.Slo"/> null, its attainment over the tasks that have one).</param>
public sealed record RunSummary(string Label, IReadOnlyList<KeyValuePair<string, string>> Parameters, TimeSpan Duration, IReadOnlyList<TaskSummary> Tasks, TaskSummary All);
