namespace Yardmaster.Cli.Commands;

/// <summary>A running step, as <c>yard top</c> shows it: its run, pipeline, step id and attempt.</summary>
internal sealed record TopStep(string Run, string Pipeline, string Step, int Attempt);
