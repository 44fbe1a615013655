using System.Globalization;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Units;
using Yardmaster.Simulation.Serving;

namespace Yardmaster.Simulation.Tuning;

/// <summary>
/// The registry's settings <c>yard tune</c> searches besides the scheduler's: each task's weight and each model's
/// keep-alive and replicas, in the order of the workload's tasks and models. Equal when every knob is.
/// </summary>
/// <param name="Tasks">Each task's weight.</param>
/// <param name="Models">Each model's keep-alive and replicas.</param>
internal sealed record TuneKnobs(IReadOnlyList<TaskKnob> Tasks, IReadOnlyList<ModelKnob> Models)
{
    /// <summary>No knob: the tasks and models as the workload has them.</summary>
    public static TuneKnobs None { get; } = new([], []);

    /// <summary>The knobs of <paramref name="workload"/>'s tasks and models as they are.</summary>
    public static TuneKnobs From(LlmWorkload workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        return new(
            [.. workload.Tasks.Select(t => new TaskKnob(t.Name, t.Weight))],
            [.. workload.Models.Select(m => new ModelKnob(m.Model.Name, m.Model.KeepAlive, m.Model.ReplicasMin, m.Model.ReplicasMax))]);
    }

    /// <summary><paramref name="task"/> with its knob's weight.</summary>
    public TaskDefinition Apply(TaskDefinition task)
    {
        ArgumentNullException.ThrowIfNull(task);
        foreach (var knob in Tasks)
        {
            if (knob.Name == task.Name)
            {
                return task with { Weight = knob.Weight };
            }
        }

        return task;
    }

    /// <summary><paramref name="model"/> with its knobs' keep-alive and replicas.</summary>
    public ModelDefinition Apply(ModelDefinition model)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var knob in Models)
        {
            if (knob.Name == model.Name)
            {
                return model with { KeepAlive = knob.KeepAlive, ReplicasMin = knob.ReplicasMin, ReplicasMax = knob.ReplicasMax };
            }
        }

        return model;
    }

    /// <summary>The <c>tasks:</c> lines of yard.yaml that set the weights, one per task.</summary>
    public IReadOnlyList<string> TaskLines() =>
        [.. Tasks.Select(t => string.Create(CultureInfo.InvariantCulture, $"  - {{ name: {t.Name}, weight: {t.Weight:0.###} }}"))];

    /// <summary>The <c>models:</c> lines of yard.yaml that set keep-alive and replicas, one per model.</summary>
    public IReadOnlyList<string> ModelLines() =>
        [.. Models.Select(m => string.Create(CultureInfo.InvariantCulture,
            $"  - {{ name: {m.Name}, keep_alive: {(m.KeepAlive is { } k ? Durations.Format(k) : "never")}, replicas: {{ min: {m.ReplicasMin}, max: {m.ReplicasMax} }} }}"))];

    /// <inheritdoc />
    public bool Equals(TuneKnobs? other) => other is not null && Tasks.SequenceEqual(other.Tasks) && Models.SequenceEqual(other.Models);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var task in Tasks)
        {
            hash.Add(task);
        }

        foreach (var model in Models)
        {
            hash.Add(model);
        }

        return hash.ToHashCode();
    }
}
