using System.Text.Json;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Units;
using Yardmaster.Simulation.Tuning;

namespace Yardmaster.Server.Adapt;

/// <summary>The JSON of <c>GET /api/adaptations</c>: whether adapt is on, its last check, and every change, newest first.</summary>
internal static class AdaptationJson
{
    public static void Write(Utf8JsonWriter json, AdaptSettings? adapt, AdaptationJournal journal)
    {
        json.WriteStartObject();
        json.WriteStartObject("adapt");
        json.WriteBoolean("enabled", adapt is not null);
        if (adapt is not null)
        {
            json.WriteString("every", Durations.Format(adapt.Every));
            json.WriteString("window", Durations.Format(adapt.Window));
            json.WriteString("objective", adapt.Objective);
            json.WriteNumber("margin", adapt.Margin);
        }

        json.WriteEndObject();
        if (journal.LastCheck is { } check)
        {
            json.WriteStartObject("last_check");
            json.WriteString("at", check.At);
            json.WriteNumber("requests", check.Requests);
            json.WriteString("verdict", check.Verdict);
            json.WriteString("detail", check.Detail);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("last_check");
        }

        json.WriteStartArray("adaptations");
        foreach (var entry in journal.Entries.Reverse())
        {
            WriteEntry(json, entry);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteEntry(Utf8JsonWriter json, Adaptation entry)
    {
        json.WriteStartObject();
        json.WriteNumber("id", entry.Id);
        json.WriteString("at", entry.At);
        json.WriteString("source", entry.Source);
        json.WriteString("status", entry.Status);
        json.WriteString("change", SchedulerDiff.Describe(entry.From, entry.To));
        json.WritePropertyName("from");
        DefinitionJson.WriteScheduler(json, entry.From);
        json.WritePropertyName("to");
        DefinitionJson.WriteScheduler(json, entry.To);
        if (entry.Search is { } search)
        {
            WritePrediction(json, search);
        }
        else
        {
            json.WriteNull("predicted");
        }

        WriteMeasurement(json, "before", entry.Before);
        WriteMeasurement(json, "after", entry.After);
        json.WriteString("note", entry.Note);
        json.WriteEndObject();
    }

    private static void WritePrediction(Utf8JsonWriter json, TuneResult search)
    {
        json.WriteStartObject("predicted");
        json.WriteNumber("now", Math.Round(search.Current.Mean, 4));
        json.WriteNumber("best", Math.Round(search.Best.Mean, 4));
        json.WriteStartArray("gains");
        foreach (var gain in search.Gains)
        {
            json.WriteNumberValue(Math.Round(gain, 4));
        }

        json.WriteEndArray();
        json.WriteNumber("configurations", search.Evaluated);
        json.WriteNumber("seconds", Math.Round(search.Elapsed.TotalSeconds, 2));
        json.WriteStartObject("tasks");
        foreach (var (task, now) in search.Current.Attainment.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            json.WriteStartObject(task);
            json.WriteNumber("now", Math.Round(now, 4));
            json.WriteNumber("predicted", Math.Round(search.Best.Attainment.GetValueOrDefault(task), 4));
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteMeasurement(Utf8JsonWriter json, string name, AdaptMeasurement? measured)
    {
        if (measured is null)
        {
            json.WriteNull(name);
            return;
        }

        json.WriteStartObject(name);
        json.WriteString("since", measured.Since);
        json.WriteString("until", measured.Until);
        json.WriteNumber("requests", measured.Requests);
        json.WriteNumber("score", Math.Round(measured.Score, 4));
        json.WriteStartObject("attainment");
        foreach (var (task, attainment) in measured.Attainment.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            json.WriteNumber(task, Math.Round(attainment, 4));
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }
}
