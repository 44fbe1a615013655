namespace Yardmaster.Simulation.Tuning;

/// <summary>A task's knob <c>yard tune</c> searches: its weight in the fair share between the tasks of its class.</summary>
/// <param name="Name">The task.</param>
/// <param name="Weight">Its weight; positive.</param>
internal readonly record struct TaskKnob(string Name, double Weight);
