namespace Yardmaster.Core.Serving;

/// <summary>One memory account as the serving pass sees it: its name ("cpu", "gpu0", ...), its budget and what is free now.</summary>
/// <param name="Device">The account's name, as <see cref="Models.ReplicaSnapshot.Account"/> names it.</param>
/// <param name="Budget">Bytes in all.</param>
/// <param name="Free">Bytes a new replica may take now (the budget less what replicas, and on the host, pipeline steps, hold).</param>
/// <param name="HeldBySteps">Bytes of the budget not used by replicas that pipeline steps hold (so not in <paramref name="Free"/>): what serving could claim back.</param>
public readonly record struct DeviceFree(string Device, long Budget, long Free, long HeldBySteps = 0);
