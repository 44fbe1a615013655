using Yardmaster.Core.Configuration;

namespace Yardmaster.Simulation.Serving;

/// <summary>What is simulated: the tasks, the models with their token models, the devices and the scheduler settings.</summary>
/// <param name="Tasks">The tasks; a request of the trace is assigned to one (by the name it carries, else by <see cref="Assign"/>).</param>
/// <param name="Models">The models and their speeds.</param>
/// <param name="Devices">The memory budgets.</param>
/// <param name="Scheduler">The scheduler settings (queue bound, load wait, aging).</param>
/// <param name="Assign">The task index of a request the trace assigns to none (by its line, stably).</param>
/// <param name="Describe">The setup in words, for the summary.</param>
internal sealed record SimSetup(
    IReadOnlyList<TaskDefinition> Tasks,
    IReadOnlyList<(ModelDefinition Model, ModelSpeed Speed)> Models,
    DeviceSettings Devices,
    SchedulerSettings Scheduler,
    Func<long, int> Assign,
    string Describe);
