using System.Text.Json;
using System.Text.Json.Nodes;
using Yardmaster.Core.Configuration;

namespace Yardmaster.Server.Ensembles;

/// <summary>
/// Turns the members' results into the one answer of a non-streamed ensemble request, with the <c>yard</c> object that
/// says which members answered, were late or failed. Pure.
/// </summary>
internal static class EnsembleAnswer
{
    /// <summary>The chosen member's index for <c>first</c> (the earliest to answer) or <c>vote</c> (the majority); -1 when none answered.</summary>
    public static int Choose(EnsembleCombine combine, IReadOnlyList<MemberResult> results)
    {
        var answered = results.Select((r, i) => (r, i)).Where(x => x.r.Status == MemberStatus.Answered).ToList();
        if (answered.Count == 0)
        {
            return -1;
        }

        if (combine == EnsembleCombine.Vote)
        {
            var (chosen, _) = EnsembleVote.Choose([.. answered.Select(x => x.r.Text)]);
            return answered[chosen].i;
        }

        return answered.MinBy(x => x.r.Latency).i;
    }

    /// <summary>The body for <c>first</c>, <c>vote</c> and <c>judge</c>: <paramref name="answer"/> with the <c>yard</c> object added.</summary>
    public static JsonObject With(JsonElement answer, JsonObject yard)
    {
        var body = JsonNode.Parse(answer.GetRawText())!.AsObject();
        body["yard"] = yard;
        return body;
    }

    /// <summary>The body for <c>all</c>: one choice per member that answered, in member order, each naming its member; usage summed.</summary>
    public static JsonObject All(string task, IReadOnlyList<MemberResult> results, JsonObject yard)
    {
        var answered = results.Where(r => r.Status == MemberStatus.Answered && r.Answer is not null).ToList();
        var body = JsonNode.Parse(answered[0].Answer!.Value.GetRawText())!.AsObject();
        body["model"] = task;
        var choices = new JsonArray();
        int prompt = 0, completion = 0;
        foreach (var result in answered)
        {
            var answer = result.Answer!.Value;
            if (answer.TryGetProperty("choices", out var list) && list.ValueKind == JsonValueKind.Array && list.GetArrayLength() > 0)
            {
                var choice = JsonNode.Parse(list[0].GetRawText())!.AsObject();
                choice["index"] = choices.Count;
                choice["yard"] = new JsonObject { ["member"] = result.Member, ["model"] = result.Model };
                choices.Add(choice);
            }

            prompt += result.Usage.Prompt;
            completion += result.Usage.Completion;
        }

        body["choices"] = choices;
        body["usage"] = new JsonObject { ["prompt_tokens"] = prompt, ["completion_tokens"] = completion, ["total_tokens"] = prompt + completion };
        body["yard"] = yard;
        return body;
    }

    /// <summary>The <c>yard</c> object: the ensemble, its combine mode, the chosen member, and each member's status and latency.</summary>
    public static JsonObject Yard(string task, EnsembleCombine combine, IReadOnlyList<MemberResult> results, string? chosen, MemberResult? judge = null)
    {
        var members = new JsonArray();
        foreach (var r in results)
        {
            members.Add(Member(r));
        }

        var yard = new JsonObject { ["ensemble"] = task, ["combine"] = combine.Name(), ["chosen"] = chosen, ["members"] = members };
        if (judge is not null)
        {
            yard["judge"] = Member(judge);
        }

        return yard;
    }

    /// <summary>The <c>X-Yard-Ensemble</c> header: <c>answered=a,b; late=c; failed=d; cancelled=; chosen=a</c>.</summary>
    public static string Header(IReadOnlyList<MemberResult> results, string? chosen)
    {
        string Names(MemberStatus status) => string.Join(',', results.Where(r => r.Status == status).Select(r => r.Member));
        var text = $"answered={Names(MemberStatus.Answered)}; late={Names(MemberStatus.Late)}; failed={Names(MemberStatus.Failed)}; cancelled={Names(MemberStatus.Cancelled)}";
        return chosen is null ? text : text + "; chosen=" + chosen;
    }

    private static JsonObject Member(MemberResult r)
    {
        var member = new JsonObject
        {
            ["name"] = r.Member,
            ["status"] = r.Status.ToString().ToLowerInvariant(),
            ["latency_ms"] = Math.Round(r.Latency.TotalMilliseconds, 3),
        };
        if (r.Model is not null)
        {
            member["model"] = r.Model;
        }

        if (r.Error is not null)
        {
            member["error"] = r.Error;
        }

        return member;
    }
}
