using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Yardmaster.Core.Queueing;
using Yardmaster.Core.Units;

namespace Yardmaster.Core.Configuration;

public static partial class DefinitionJson
{
    /// <summary>The keys of <c>PUT /api/scheduler</c>: the settings that can change while serving.</summary>
    public static IReadOnlyList<string> LiveSchedulerFields { get; } = ["queue", "eviction", "max_queue", "max_wait"];

    private static readonly string[] _waitFields = ["default", .. PriorityClasses.All.Select(p => p.Name())];

    /// <summary>
    /// Writes <c>scheduler:</c> as one JSON object in yard.yaml's keys, with every class's aging bound under
    /// <c>max_wait</c> and <c>adapt</c> as a flag (its settings are yard.yaml's).
    /// </summary>
    public static void WriteScheduler(Utf8JsonWriter writer, SchedulerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(settings);
        writer.WriteStartObject();
        writer.WriteString("queue", settings.Queue);
        writer.WriteString("eviction", settings.Eviction);
        writer.WriteString("routing", settings.Routing);
        writer.WriteNumber("max_queue", settings.MaxQueue);
        writer.WriteStartObject("max_wait");
        writer.WriteString("default", Durations.Format(settings.MaxWait));
        foreach (var priority in PriorityClasses.All)
        {
            writer.WriteString(priority.Name(), Durations.Format(settings.QueueOptions.MaxWaitFor(priority)));
        }

        writer.WriteEndObject();
        writer.WriteString("default_deadline", Durations.Format(settings.DefaultDeadline));
        writer.WriteString("load_wait", Durations.Format(settings.LoadWait));
        writer.WriteBoolean("adapt", settings.Adapt is not null);
        writer.WriteEndObject();
    }

    /// <summary>
    /// Reads a change to the live settings (<see cref="LiveSchedulerFields"/>; absent keys keep <paramref name="current"/>'s
    /// values; <c>max_wait</c> is one duration for every class or an object by <c>default</c> and class name); false with
    /// every error, each naming its field, when it is not a valid change.
    /// </summary>
    public static bool TryReadScheduler(JsonElement element, SchedulerSettings current, [NotNullWhen(true)] out SchedulerSettings? settings, out IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(current);
        var list = new List<string>();
        settings = null;
        errors = list;
        if (JsonObjectReader.Open(element, string.Empty, "a change to the scheduler settings", LiveSchedulerFields, list) is not { } r)
        {
            return false;
        }

        var queue = r.String("queue");
        if (queue is not null && QueuePolicies.Create(queue) is null)
        {
            list.Add($"'queue' must be one of {string.Join(" | ", QueuePolicies.Names)}, got \"{queue}\"");
        }

        var eviction = r.String("eviction");
        if (eviction is not null && Models.EvictionPolicies.Create(eviction) is null)
        {
            list.Add($"'eviction' must be one of {string.Join(" | ", Models.EvictionPolicies.Names)}, got \"{eviction}\"");
        }

        var read = current with { Queue = queue ?? current.Queue, Eviction = eviction ?? current.Eviction, MaxQueue = r.Int("max_queue", min: 1) ?? current.MaxQueue };
        if (r.TryGet("max_wait", out var wait))
        {
            read = ReadWaits(r, wait, read);
        }

        settings = list.Count == 0 ? read : null;
        return settings is not null;
    }

    private static SchedulerSettings ReadWaits(JsonObjectReader r, JsonElement wait, SchedulerSettings read)
    {
        if (wait.ValueKind == JsonValueKind.String)
        {
            return r.Duration("max_wait", positive: false) is { } all ? read with { MaxWait = all, MaxWaitByClass = new Dictionary<PriorityClass, TimeSpan>() } : read;
        }

        if (r.Object("max_wait", _waitFields) is not { } waits)
        {
            return read;
        }

        var byClass = new Dictionary<PriorityClass, TimeSpan>(read.MaxWaitByClass);
        foreach (var priority in PriorityClasses.All)
        {
            if (waits.Duration(priority.Name(), positive: false) is { } w)
            {
                byClass[priority] = w;
            }
        }

        return read with { MaxWait = waits.Duration("default", positive: false) ?? read.MaxWait, MaxWaitByClass = byClass };
    }
}
