namespace Yardmaster.Server.Pipelines;

/// <summary>A request of an inference or evaluate step failed for good; the attempt fails with this message in its log.</summary>
internal sealed class StepRequestFailedException(string message) : Exception(message);
