using Yardmaster.Simulation.Traces;

namespace Yardmaster.Cli.Commands.Bench;

/// <summary>What <c>yard bench replay</c> was asked, checked by the command line.</summary>
/// <param name="Trace">The trace file.</param>
/// <param name="Format">Its format (not alibaba-gpu).</param>
/// <param name="Url">The gateway's base URL.</param>
/// <param name="Speed">The trace's times are divided by this (2: twice as fast).</param>
/// <param name="MaxRequests">Replay only the first this many requests; null for all.</param>
/// <param name="Task">The task of a request whose trace names none; null for the default split (<see cref="TraceTasks"/>).</param>
/// <param name="Key">Sent as <c>Authorization: Bearer</c> on <c>/v1</c> and <c>/api/tasks</c>; null sends none.</param>
/// <param name="Output">Folder for requests.csv, summary.json and summary.md.</param>
/// <param name="Chat">Send to <c>/v1/chat/completions</c> (one user message) instead of <c>/v1/completions</c>.</param>
/// <param name="Timeout">A request not ended within this is given up as timed out.</param>
/// <param name="Strict">A malformed trace row is fatal.</param>
internal sealed record ReplayOptions(string Trace, TraceFormat Format, Uri Url, double Speed, int? MaxRequests, string? Task, string? Key, string Output, bool Chat, TimeSpan Timeout, bool Strict);
