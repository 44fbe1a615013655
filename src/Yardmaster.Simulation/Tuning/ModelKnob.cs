namespace Yardmaster.Simulation.Tuning;

/// <summary>A model's knobs <c>yard tune</c> searches: how long an idle replica stays loaded and how many replicas it may have.</summary>
/// <param name="Name">The model.</param>
/// <param name="KeepAlive">Its <c>keep_alive</c>; null for never unloaded when idle.</param>
/// <param name="ReplicasMin">Replicas kept warm.</param>
/// <param name="ReplicasMax">Replicas allowed.</param>
internal readonly record struct ModelKnob(string Name, TimeSpan? KeepAlive, int ReplicasMin, int ReplicasMax);
