using System.Text.Json.Nodes;

namespace Yardmaster.Server.Pipelines;

/// <summary>One line of an <c>evaluate</c> step's dataset: the chat messages asked, the question in words (for a judge), the expected answer.</summary>
internal sealed record EvaluationItem(int Line, JsonArray Messages, string Question, JsonNode? Expected)
{
    /// <summary>
    /// Reads one JSONL line: <c>{"input": TEXT, "expected": ...}</c> or <c>{"messages": [...], "expected": ...}</c>. Returns
    /// the item, or why the line is not one (without the file and line, which the caller adds).
    /// </summary>
    public static (EvaluationItem? Item, string? Error) Read(string line, int number)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(line);
        }
        catch (System.Text.Json.JsonException e)
        {
            return (null, "not valid JSON: " + e.Message);
        }

        if (node is not JsonObject o)
        {
            return (null, "each line must be a JSON object with input (or messages) and expected");
        }

        if (!o.ContainsKey("expected"))
        {
            return (null, "expected is required: the answer the item's score is measured against");
        }

        var expected = o["expected"]?.DeepClone();
        if (o["input"] is JsonValue input && input.TryGetValue<string>(out var text))
        {
            return (new EvaluationItem(number, [new JsonObject { ["role"] = "user", ["content"] = text }], text, expected), null);
        }

        if (o["messages"] is JsonArray { Count: > 0 } messages && messages.All(m => m is JsonObject { } mo && mo["role"] is JsonValue && mo["content"] is JsonValue))
        {
            var question = string.Join("\n", messages.Select(m => m!["content"]!.ToString()));
            return (new EvaluationItem(number, messages.DeepClone().AsArray(), question, expected), null);
        }

        return (null, "each line needs input (a string) or messages (a non-empty array of {role, content})");
    }
}
