using System.Text.Json;
using Yardmaster.Core;
using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Runs;

namespace Yardmaster.Server.Pipelines;

/// <summary>The JSON of runs, steps, attempts and transitions, as <c>/api/runs</c> answers and <c>yard ... --output json</c> prints.</summary>
public static class RunJson
{
    /// <summary>A run's summary: id, pipeline, priority, state, reason, times.</summary>
    public static void WriteRun(Utf8JsonWriter json, RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(run);
        json.WriteStartObject();
        WriteRunFields(json, run);
        json.WriteEndObject();
    }

    /// <summary><c>{"runs": [...]}</c>: run summaries, as listed.</summary>
    public static void WriteRunList(Utf8JsonWriter json, IEnumerable<RunRecord> runs)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(runs);
        json.WriteStartObject();
        json.WriteStartArray("runs");
        foreach (var run in runs)
        {
            WriteRun(json, run);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>A mapped step with more items than this shows only its item counts unless items are asked for (<c>?items=true</c>).</summary>
    public const int ItemsShown = 100;

    /// <summary>
    /// A run with its steps (with what each needs, when <paramref name="needs"/> is given), attempts and, when given,
    /// transitions. A mapped step shows its item counts (<c>items</c>); its item attempts, their transitions and its merged
    /// outputs are shown when <paramref name="items"/> is true, or when null and it has at most <see cref="ItemsShown"/> items.
    /// </summary>
    public static void WriteDetail(Utf8JsonWriter json, RunDetail detail, IReadOnlyList<TransitionRecord>? transitions, IReadOnlyDictionary<string, IReadOnlyList<string>>? needs = null, bool? items = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(detail);
        var hidden = detail.Steps.Where(s => s.Items is { } n && !(items ?? n <= ItemsShown)).Select(s => s.StepId).ToHashSet(StringComparer.Ordinal);
        var byStep = detail.Attempts.Where(a => a.Item is not null).ToLookup(a => a.StepId, StringComparer.Ordinal);
        json.WriteStartObject();
        WriteRunFields(json, detail.Run);
        json.WriteString("working_directory", detail.Run.WorkingDirectory);
        json.WriteStartArray("steps");
        foreach (var s in detail.Steps)
        {
            json.WriteStartObject();
            json.WriteString("id", s.StepId);
            json.WriteString("state", s.State.Name());
            json.WriteNumber("attempts", s.Attempts);
            json.WriteNumber("retries_used", s.RetriesUsed);
            Time(json, "started_at", s.StartedAt);
            Time(json, "ended_at", s.EndedAt);
            Time(json, "not_before", s.NotBefore);
            json.WriteString("reason", s.Reason);
            WriteOutputs(json, s.Result, hidden.Contains(s.StepId));
            if (s.Items is { } total)
            {
                var counts = MapItemCounts.Of(total, byStep[s.StepId]);
                json.WriteStartObject("items");
                json.WriteNumber("total", counts.Total);
                json.WriteNumber("pending", counts.Pending);
                json.WriteNumber("running", counts.Running);
                json.WriteNumber("succeeded", counts.Succeeded);
                json.WriteNumber("failed", counts.Failed);
                json.WriteNumber("cancelled", counts.Cancelled);
                json.WriteEndObject();
            }

            if (needs is not null && needs.TryGetValue(s.StepId, out var before))
            {
                json.WriteStartArray("needs");
                foreach (var n in before)
                {
                    json.WriteStringValue(n);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("attempts");
        foreach (var a in detail.Attempts)
        {
            if (a.Item is not null && hidden.Contains(a.StepId))
            {
                continue;
            }

            json.WriteStartObject();
            json.WriteString("step", a.StepId);
            json.WriteNumber("number", a.Number);
            if (a.Item is { } item)
            {
                json.WriteNumber("item", item);
            }

            json.WriteString("outcome", a.Outcome.Name());
            json.WriteString("executor", a.Executor);
            if (a.Node.Length > 0)
            {
                json.WriteString("node", a.Node);
            }
            else
            {
                json.WriteNull("node"); // queued at an engine that has not started it on a node yet
            }

            json.WriteStartArray("gpus");
            foreach (var g in a.Gpus)
            {
                json.WriteNumberValue(g);
            }

            json.WriteEndArray();
            json.WriteString("locator", a.Locator);
            json.WriteString("log", a.LogPath);
            Time(json, "started_at", a.StartedAt);
            Time(json, "ended_at", a.EndedAt);
            if (a.ExitCode is { } code)
            {
                json.WriteNumber("exit_code", code);
            }
            else
            {
                json.WriteNull("exit_code");
            }

            json.WriteString("reason", a.Reason);
            if (a.Result is not null)
            {
                WriteOutputs(json, a.Result, hide: false);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (transitions is not null)
        {
            json.WriteStartArray("transitions");
            foreach (var t in transitions)
            {
                if (t.Attempt is not null && t.StepId is { } step && hidden.Contains(step))
                {
                    continue; // an item attempt's start and end
                }

                json.WriteStartObject();
                json.WriteString("step", t.StepId);
                if (t.Attempt is { } n)
                {
                    json.WriteNumber("attempt", n);
                }

                json.WriteString("from", t.From);
                json.WriteString("to", t.To);
                json.WriteString("reason", t.Reason);
                Time(json, "at", t.At);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    }

    /// <summary><c>"outputs"</c>: the JSON object a step wrote to <c>$YARD_OUTPUTS</c> (null before it succeeded, or when hidden as a large map's).</summary>
    private static void WriteOutputs(Utf8JsonWriter json, string? result, bool hide)
    {
        if (result is null || hide)
        {
            json.WriteNull("outputs");
        }
        else
        {
            json.WritePropertyName("outputs");
            json.WriteRawValue(result, skipInputValidation: true);
        }
    }

    /// <summary>The detail as a string (the embedded CLI renders from the same JSON the server sends).</summary>
    public static string Detail(RunDetail detail, IReadOnlyList<TransitionRecord>? transitions) => Text(json => WriteDetail(json, detail, transitions));

    /// <summary>The run list as a string.</summary>
    public static string RunList(IEnumerable<RunRecord> runs) => Text(json => WriteRunList(json, runs));

    private static string Text(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Core.ReadableJson.Writer))
        {
            write(json);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteRunFields(Utf8JsonWriter json, RunRecord run)
    {
        json.WriteString("id", run.Id);
        json.WriteString("pipeline", run.Pipeline);
        json.WriteString("priority", run.Priority.Name());
        json.WriteString("state", run.State.Name());
        json.WriteString("reason", run.Reason);
        json.WriteString("source_file", run.SourceFile);
        Time(json, "created_at", run.CreatedAt);
        Time(json, "ended_at", run.EndedAt);
    }

    private static void Time(Utf8JsonWriter json, string name, DateTimeOffset? at)
    {
        if (at is { } t)
        {
            json.WriteString(name, t);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
