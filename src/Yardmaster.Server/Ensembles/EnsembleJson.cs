using System.Text.Json;

namespace Yardmaster.Server.Ensembles;

/// <summary>The <c>ensembles</c> object of <c>/api/stats</c>: per ensemble, requests by outcome and each member's counts.</summary>
internal static class EnsembleJson
{
    public static void Write(Utf8JsonWriter json, EnsembleStatistics statistics)
    {
        json.WriteStartObject("ensembles");
        foreach (var e in statistics.Snapshot())
        {
            json.WriteStartObject(e.Ensemble);
            json.WriteNumber("requests", e.Outcomes.Values.Sum());
            foreach (var outcome in new[] { "answered", "timed_out", "failed" })
            {
                json.WriteNumber(outcome, e.Outcomes.GetValueOrDefault(outcome));
            }

            json.WriteStartObject("members");
            foreach (var m in e.Members)
            {
                json.WriteStartObject(m.Member);
                foreach (var status in Enum.GetValues<MemberStatus>())
                {
                    json.WriteNumber(status.ToString().ToLowerInvariant(), m.ByStatus[(int)status]);
                }

                json.WriteNumber("chosen", m.Chosen);
                if (m.MeanAnsweredMs is { } ms)
                {
                    json.WriteNumber("mean_answer_ms", Math.Round(ms, 3));
                }
                else
                {
                    json.WriteNull("mean_answer_ms");
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }
}
