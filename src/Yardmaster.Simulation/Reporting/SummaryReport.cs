namespace Yardmaster.Simulation.Reporting;

/// <summary>What <c>summary.json</c> and <c>summary.md</c> hold: the command, the trace, one or more runs, and notes.</summary>
/// <param name="Title">The heading (<c>yard bench replay</c>, <c>yard simulate</c>).</param>
/// <param name="Trace">The trace file, as named.</param>
/// <param name="Format">Its format's name.</param>
/// <param name="Runs">The runs, in the order they were made.</param>
/// <param name="Notes">What a reader must know to read the figures (how tasks were assigned, where the SLOs came from, skipped rows), one sentence each.</param>
public sealed record SummaryReport(string Title, string Trace, string Format, IReadOnlyList<RunSummary> Runs, IReadOnlyList<string> Notes);
