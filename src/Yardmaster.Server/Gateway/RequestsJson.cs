using System.Text.Json;
using Yardmaster.Core;
using Yardmaster.Runtime.Serving;

namespace Yardmaster.Server.Gateway;

/// <summary>The JSON of <c>/api/requests</c> and of a decision trace: snake_case keys, times in ms, instants in ISO 8601.</summary>
internal static class RequestsJson
{
    /// <summary><c>{"requests": [...], "queued": n, "running": n, "at": ISO}</c>.</summary>
    public static void WriteList(Utf8JsonWriter json, IReadOnlyList<RequestSnapshot> requests, DateTimeOffset at)
    {
        json.WriteStartObject();
        json.WriteStartArray("requests");
        foreach (var r in requests)
        {
            json.WriteStartObject();
            json.WriteString("id", r.Id);
            json.WriteString("task", r.Task);
            json.WriteString("class", r.Priority.Name());
            WriteStringOrNull(json, "model", r.Model);
            json.WriteString("state", r.State == RequestState.Queued ? "queued" : "running");
            json.WriteNumber("waited_ms", Ms(r.Waited));
            WriteMsOrNull(json, "predicted_start_ms", r.PredictedStart);
            if (r.Position is { } position)
            {
                json.WriteNumber("position", position);
            }
            else
            {
                json.WriteNull("position");
            }

            if (r.Replica is { } replica)
            {
                json.WriteStartObject("replica");
                json.WriteNumber("number", replica);
                json.WriteString("device", r.Device);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("replica");
            }

            json.WriteString("arrival", r.Arrival);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteNumber("queued", requests.Count(r => r.State == RequestState.Queued));
        json.WriteNumber("running", requests.Count(r => r.State == RequestState.Running));
        json.WriteString("at", at);
        json.WriteEndObject();
    }

    /// <summary>One decision trace, with its one-line <c>summary</c>.</summary>
    public static void WriteTrace(Utf8JsonWriter json, DecisionTrace t)
    {
        json.WriteStartObject();
        json.WriteString("id", t.RequestId);
        json.WriteString("task", t.Task);
        json.WriteString("class", t.Priority.Name());
        json.WriteString("arrival", t.Arrival);
        json.WriteString("outcome", t.Outcome);
        json.WriteString("summary", t.Summary);
        json.WriteNumber("attempts", t.Attempts);
        WriteStringOrNull(json, "model", t.Model);
        WriteStringOrNull(json, "reason", t.Reason);
        WriteMsOrNull(json, "predicted_start_ms", t.PredictedStart);
        json.WriteStartArray("candidates");
        foreach (var c in t.Candidates)
        {
            json.WriteStartObject();
            json.WriteString("model", c.Model);
            json.WriteBoolean("chosen", c.Chosen);
            WriteMsOrNull(json, "predicted_start_ms", c.PredictedStart);
            json.WriteString("reason", c.Reason);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("memory_waits");
        foreach (var w in t.MemoryWaits)
        {
            json.WriteStartObject();
            json.WriteString("at", w.At);
            json.WriteString("model", w.Model);
            json.WriteString("reason", w.Reason);
            json.WriteString("words", w.Words);
            json.WriteStartArray("holders");
            foreach (var h in w.Holders)
            {
                json.WriteStartObject();
                json.WriteString("model", h.Model);
                json.WriteNumber("replica", h.Replica);
                json.WriteString("device", h.Device);
                json.WriteNumber("bytes", h.Bytes);
                json.WriteString("why", h.Why);
                json.WriteStartArray("requests");
                foreach (var r in h.Requests)
                {
                    json.WriteStartObject();
                    json.WriteString("task", r.Task);
                    json.WriteString("class", r.Priority.Name());
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        WriteLoad(json, t.Load);
        json.WriteStartArray("queue");
        foreach (var q in t.Queue)
        {
            json.WriteStartObject();
            json.WriteString("at", q.At);
            json.WriteNumber("position", q.Position);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (t.Dispatch is { } d)
        {
            json.WriteStartObject("dispatch");
            json.WriteString("at", d.At);
            json.WriteNumber("replica", d.Replica);
            json.WriteString("device", d.Device);
            json.WriteNumber("queue_ms", Ms(d.QueueTime));
            json.WriteBoolean("preempting", d.Preempting);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("dispatch");
        }

        if (t.Refusal is { } r2)
        {
            json.WriteStartObject("refusal");
            json.WriteNumber("status", r2.Status);
            json.WriteString("code", r2.Code);
            json.WriteString("message", r2.Message);
            WriteMsOrNull(json, "retry_after_ms", r2.RetryAfter);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("refusal");
        }

        if (t.Finished is { } finished)
        {
            json.WriteString("finished", finished);
        }
        else
        {
            json.WriteNull("finished");
        }

        json.WriteStartArray("earlier_attempts");
        foreach (var e in t.Earlier)
        {
            json.WriteStringValue(e);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteLoad(Utf8JsonWriter json, TraceLoad? load)
    {
        if (load is null)
        {
            json.WriteNull("load");
            return;
        }

        json.WriteStartObject("load");
        json.WriteString("model", load.Model);
        json.WriteNumber("replica", load.Replica);
        json.WriteString("device", load.Device);
        json.WriteString("started", load.Started);
        json.WriteBoolean("cold", load.Cold);
        json.WriteStartArray("evicted");
        foreach (var e in load.Evicted)
        {
            json.WriteStartObject();
            json.WriteString("model", e.Model);
            json.WriteNumber("replica", e.Replica);
            json.WriteString("device", e.Device);
            json.WriteNumber("bytes", e.Bytes);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static double Ms(TimeSpan t) => Math.Round(t.TotalMilliseconds, 3);

    private static void WriteMsOrNull(Utf8JsonWriter json, string name, TimeSpan? t)
    {
        if (t is { } value)
        {
            json.WriteNumber(name, Ms(value));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteStringOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

}
