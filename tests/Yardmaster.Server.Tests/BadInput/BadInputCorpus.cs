namespace Yardmaster.Server.Tests.BadInput;

/// <summary>
/// The regression corpus of issue 9 for the OpenAI surfaces: bodies that once crashed a handler into an
/// empty 500 (invalid UTF-8, escaped lone surrogates, strings or booleans where integers belong) and their
/// neighbours of every wrong JSON type. Run through the gateway and through the model server; each must
/// be a 400 in OpenAI's shape naming the field.
/// </summary>
public static class BadInputCorpus
{
    private const string Hi = "\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]";

    public static IReadOnlyList<BadV1Input> V1 { get; } =
    [
        new("invalid UTF-8 in a string", false, [.. "{\"prompt\": \"a"u8, 0xFF, 0xFE, .. "\"}"u8], null, "not valid UTF-8"),
        new("invalid UTF-8 outside strings", true, [0xC3, .. "{}"u8], null, "not valid UTF-8"),
        new("lone high surrogate in the prompt", false, "{\"prompt\": \"a\\ud800b\"}", "prompt", "lone surrogate"),
        new("lone low surrogate in a message", true, "{\"messages\": [{\"role\": \"user\", \"content\": \"\\udc00\"}]}", "messages[0].content", "lone surrogate"),
        new("reversed surrogate pair in a stop", false, "{\"prompt\": \"a\", \"stop\": [\"x\", \"\\udc00\\ud800\"]}", "stop[1]", "lone surrogate"),
        new("lone surrogate in a field name", false, "{\"prompt\": \"a\", \"\\ud800\": 1}", null, "field name"),
        new("max_tokens as a string", false, "{\"prompt\": \"a\", \"max_tokens\": \"10\"}", "max_tokens", "must be an integer"),
        new("max_tokens as an array", true, "{" + Hi + ", \"max_tokens\": [10]}", "max_tokens", "got an array"),
        new("max_tokens as a fraction", false, "{\"prompt\": \"a\", \"max_tokens\": 2.5}", "max_tokens", "must be an integer"),
        new("max_tokens beyond int", false, "{\"prompt\": \"a\", \"max_tokens\": 99999999999999999999}", "max_tokens", "must be an integer"),
        new("max_completion_tokens as a boolean", true, "{" + Hi + ", \"max_completion_tokens\": true}", "max_completion_tokens", "got a boolean"),
        new("stream as a string", false, "{\"prompt\": \"a\", \"stream\": \"yes\"}", "stream", "must be a boolean"),
        new("temperature as a string", false, "{\"prompt\": \"a\", \"temperature\": \"1\"}", "temperature", "must be a number, got a string"),
        new("temperature overflowing a float", false, "{\"prompt\": \"a\", \"temperature\": 1e999}", "temperature", "finite number"),
        new("top_p as an object", true, "{" + Hi + ", \"top_p\": {}}", "top_p", "got an object"),
        new("seed as a string", false, "{\"prompt\": \"a\", \"seed\": \"1\"}", "seed", "got a string"),
        new("n as a boolean", false, "{\"prompt\": \"a\", \"n\": false}", "n", "must be an integer"),
        new("stop as an object", false, "{\"prompt\": \"a\", \"stop\": {}}", "stop", "array of at most 16 strings"),
        new("stream_options as a number", true, "{" + Hi + ", \"stream_options\": 1}", "stream_options", "must be an object"),
        new("include_usage as a string", true, "{" + Hi + ", \"stream_options\": {\"include_usage\": \"yes\"}}", "stream_options.include_usage", "must be a boolean"),
        new("completions logprobs as a boolean", false, "{\"prompt\": \"a\", \"logprobs\": true}", "logprobs", "must be an integer"),
        new("completions logprobs above 5", false, "{\"prompt\": \"a\", \"logprobs\": 6}", "logprobs", "between 0 and 5"),
        new("completions logprobs 5, not served", false, "{\"prompt\": \"a\", \"logprobs\": 5}", "logprobs", "not supported"),
        new("chat logprobs as an integer", true, "{" + Hi + ", \"logprobs\": 5}", "logprobs", "must be a boolean"),
        new("chat top_logprobs above 20", true, "{" + Hi + ", \"top_logprobs\": 21}", "top_logprobs", "between 0 and 20"),
        new("prompt as an object", false, "{\"prompt\": {}}", "prompt", "got an object"),
        new("prompt of mixed ids and text", false, "{\"prompt\": [1, \"a\"]}", "prompt", "one prompt per request"),
        new("messages as an object", true, "{\"messages\": {}}", "messages", "array"),
        new("a message as a number", true, "{\"messages\": [1]}", "messages[0]", "must be an object"),
        new("a role as a number", true, "{\"messages\": [{\"role\": 1, \"content\": \"hi\"}]}", "messages[0].role", "must be a string"),
        new("a content part as a string", true, "{\"messages\": [{\"role\": \"user\", \"content\": [\"hi\"]}]}", "messages[0].content[0]", "text part"),
        new("the body as an array", false, "[{\"prompt\": \"a\"}]", null, "must be a JSON object"),
        new("the body as a string", true, "\"hi\"", null, "must be a JSON object"),
        new("an empty body", false, "", null, "not valid JSON"),
        new("a truncated body", true, "{\"messages\": [{\"role\": \"us", null, "not valid JSON"),
        new("nesting deeper than 64", false, "{\"prompt\": \"a\", \"x\": " + new string('[', 100) + new string(']', 100) + "}", null, "depth"),
        new("a trailing comma", false, "{\"prompt\": \"a\",}", null, "not valid JSON"),
    ];
}
