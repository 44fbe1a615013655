namespace Yardmaster.Core.History;

/// <summary>One minute's sample of a node's or a device's resource: what it has and what is allocated.</summary>
/// <param name="Minute">The minute's start, as Unix seconds.</param>
/// <param name="Node">The node (or, for model memory, the device: "cpu", "gpu0", ...).</param>
/// <param name="Resource">"cpu_millis", "memory_bytes", "gpus", or "model_memory_bytes".</param>
/// <param name="Capacity">What there is.</param>
/// <param name="Allocated">What is allocated (to steps and replicas).</param>
public sealed record UsageSample(long Minute, string Node, string Resource, long Capacity, long Allocated);
