using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Yardmaster.Core;
using Yardmaster.Core.Execution;
using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Registry;

namespace Yardmaster.Server.Pipelines;

/// <summary>
/// One attempt of an <c>evaluate</c> step: every item asked of every model or task (at most <c>concurrency</c> at once,
/// <c>temperature: 0</c>), each answer scored, and each answering model's mean score recorded as its quality on the metric.
/// </summary>
internal sealed class EvaluateStepRun(HttpClient http, Uri server, string? key, StepLaunch launch, EvaluateStepSpec spec, IReadOnlyList<EvaluationItem> items, Func<ModelQuality, CancellationToken, Task<bool>> record, TimeProvider time)
    : ServerStepRun(launch, time)
{
    public override string Locator => string.Create(CultureInfo.InvariantCulture, $"evaluate: {items.Count} items of {spec.Dataset} asked of {string.Join(", ", spec.Models)}");

    protected override async Task WorkAsync()
    {
        var caller = new GatewayCaller(http, server, key, Launch, Log);
        var clock = Stopwatch.StartNew();
        Log($"{items.Count} items of {spec.Dataset} asked of {string.Join(", ", spec.Models)} at priority {Launch.Priority.Name()}, scored by {Name(spec.Score)}, {spec.Concurrency} at a time");
        var results = await ForEachAsync(spec.Models.SelectMany(model => items.Select(item => (model, item))), spec.Concurrency, pair => AskAsync(caller, pair.model, pair.item)).ConfigureAwait(false);
        await WriteOutputAsync(results).ConfigureAwait(false);
        await RecordAsync(results).ConfigureAwait(false);
        await WriteStepOutputsAsync(results).ConfigureAwait(false);
        Log($"done in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>Asks one item of one model or task and scores the answer.</summary>
    private async Task<Scored> AskAsync(GatewayCaller caller, string model, EvaluationItem item)
    {
        var body = new JsonObject { ["model"] = model, ["messages"] = item.Messages.DeepClone(), ["max_tokens"] = spec.MaxTokens, ["temperature"] = 0 };
        var what = string.Create(CultureInfo.InvariantCulture, $"{model}.{item.Line}");
        var (answer, answered) = await caller.SendAsync(body, what, Stopping).ConfigureAwait(false);
        var text = Content(answer);
        double score;
        if (spec.Score == ScoreMethod.Judge)
        {
            var prompt = AnswerScoring.JudgePrompt(spec.Rubric, item.Question, item.Expected?.ToString() ?? "null", text);
            var ask = new JsonObject { ["model"] = spec.Judge, ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = prompt }), ["max_tokens"] = 8, ["temperature"] = 0 };
            var (verdict, _) = await caller.SendAsync(ask, what + ".judge", Stopping).ConfigureAwait(false);
            var reply = Content(verdict);
            if (AnswerScoring.ParseJudge(reply) is { } graded)
            {
                score = graded;
            }
            else
            {
                score = 0;
                Log($"item {what}: the judge's reply has no grade from 0 to 10 ('{Short(reply)}'); scored 0");
            }
        }
        else
        {
            score = AnswerScoring.Score(spec.Score, text, item.Expected);
        }

        return new Scored(model, answered ?? model, item.Line, text, score);
    }

    /// <summary>Records each answering model's mean as its quality, and logs the figures per name evaluated.</summary>
    private async Task RecordAsync(Scored[] results)
    {
        var source = $"run {Launch.RunId} step {Launch.StepId}";
        foreach (var asked in spec.Models)
        {
            var mine = results.Where(r => r.Asked == asked).ToList();
            Log($"{asked}: {Summary(mine)}");
        }

        foreach (var group in results.GroupBy(r => r.Answered, StringComparer.Ordinal))
        {
            var count = group.Count();
            var mean = Math.Clamp(group.Average(r => r.Score), 0, 1);
            var (low, high) = ModelQualities.Interval(mean, count);
            var quality = new ModelQuality(group.Key, spec.Metric, mean, count, low, high, spec.Dataset, Time.GetUtcNow(), source);
            Log(await record(quality, Stopping).ConfigureAwait(false)
                ? $"recorded quality of model {group.Key} on {spec.Metric}: {Summary([.. group])}"
                : $"model {group.Key} is not in the registry; its quality is not recorded");
        }
    }

    private async Task WriteOutputAsync(Scored[] results)
    {
        if (spec.Output is not { } output)
        {
            return;
        }

        var path = Path.Combine(Launch.WorkingDirectory, output);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var lines = results.Select(r => new JsonObject { ["model"] = r.Answered, ["asked"] = r.Asked, ["item"] = r.Line, ["answer"] = r.Answer, ["score"] = r.Score }.ToJsonString(ReadableJson.Serializer));
        await File.WriteAllLinesAsync(path + ".tmp", lines, Stopping).ConfigureAwait(false);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>
    /// The step's outputs for later steps' <c>when:</c> (<c>$YARD_OUTPUTS</c>, when the scheduler gives one):
    /// <c>{"metric", "count", "scores": {NAME: mean}, "best": NAME}</c>, per name evaluated; the best is the first of the highest.
    /// </summary>
    private async Task WriteStepOutputsAsync(Scored[] results)
    {
        if (!Launch.Environment.TryGetValue("YARD_OUTPUTS", out var path) || string.IsNullOrEmpty(path))
        {
            return;
        }

        var scores = new JsonObject();
        string? best = null;
        var bestScore = double.MinValue;
        foreach (var asked in spec.Models)
        {
            var mean = Math.Round(results.Where(r => r.Asked == asked).Average(r => r.Score), 6);
            scores[asked] = mean;
            if (mean > bestScore)
            {
                (best, bestScore) = (asked, mean);
            }
        }

        var outputs = new JsonObject { ["metric"] = spec.Metric, ["count"] = items.Count, ["scores"] = scores, ["best"] = best };
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, outputs.ToJsonString(), Stopping).ConfigureAwait(false);
    }

    /// <summary>The text of a chat answer's first choice; empty when it has none.</summary>
    private static string Content(JsonObject answer) =>
        answer["choices"] is JsonArray { Count: > 0 } choices && choices[0]?["message"]?["content"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : string.Empty;

    private static string Summary(List<Scored> scored)
    {
        var mean = scored.Count == 0 ? 0 : Math.Clamp(scored.Average(r => r.Score), 0, 1);
        var (low, high) = scored.Count == 0 ? (0, 0) : ModelQualities.Interval(mean, scored.Count);
        return string.Create(CultureInfo.InvariantCulture, $"score {mean:0.###} over {scored.Count} answers, 95% interval [{low:0.###}, {high:0.###}]");
    }

    private static string Name(ScoreMethod method) => AnswerScoring.Names.First(n => n.Value == method).Key;

    private static string Short(string text) => text.Length <= 40 ? text : text[..40] + "…";

    /// <summary>One scored answer: the name asked, the model that answered, the dataset line, the answer and its score.</summary>
    private sealed record Scored(string Asked, string Answered, int Line, string Answer, double Score);
}
