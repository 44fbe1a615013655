using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Yardmaster.Server.Tests.BadInput;

/// <summary>
/// Mutations of a valid JSON body: on the tree (a value's type flipped, a field deleted or added, a value
/// wrapped in an array), then on the text (a field duplicated, a number made huge, a lone surrogate escape,
/// invalid UTF-8, a byte changed, the body cut short). Deterministic for a given <see cref="Random"/>.
/// </summary>
public static partial class JsonMutations
{
    private static readonly string[] _fieldNames =
        ["model", "messages", "prompt", "max_tokens", "max_completion_tokens", "stream", "logprobs", "top_logprobs", "temperature", "stop",
         "name", "models", "path", "priority", "slots", "context", "replicas", "rate", "yaml", "file", "step", "backend", "x", ""];

    private static readonly string[] _numbers = ["1e999", "-1e999", "99999999999999999999999999", "1e-999", "-0", "4294967296", "-2147483649", "0.5", "1E+2"];

    private static readonly string[] _surrogates = ["\\ud800", "\\udfff", "\\udc00\\ud800", "\\uD83D"];

    private static readonly byte[][] _invalidUtf8 = [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC3], [0x80]];

    private enum TreeMutation
    {
        FlipType,
        Delete,
        Add,
        Wrap,
    }

    private enum TextMutation
    {
        Duplicate,
        HugeNumber,
        LoneSurrogate,
        InvalidUtf8,
        ChangeByte,
        Truncate,
    }

    /// <summary>Applies <paramref name="count"/> mutations to <paramref name="template"/>; returns the body and their names.</summary>
    public static (byte[] Body, string How) Apply(string template, int count, Random random)
    {
        var how = new List<string>();
        var treeCount = random.Next(count + 1);
        var root = JsonNode.Parse(template)!;
        for (var i = 0; i < treeCount; i++)
        {
            var mutation = (TreeMutation)random.Next(4);
            how.Add(mutation.ToString());
            root = Mutate(root, mutation, random);
        }

        var body = Encoding.UTF8.GetBytes(root.ToJsonString(Core.ReadableJson.Serializer));
        for (var i = treeCount; i < count; i++)
        {
            var mutation = (TextMutation)random.Next(6);
            how.Add(mutation.ToString());
            body = Mutate(body, mutation, random);
        }

        return (body, "mutated: " + string.Join(", ", how));
    }

    private static JsonNode Mutate(JsonNode root, TreeMutation mutation, Random random)
    {
        var nodes = Descendants(root).ToList();
        var objects = nodes.OfType<JsonObject>().ToList();
        switch (mutation)
        {
            case TreeMutation.FlipType when nodes.Count > 1:
                Replace(nodes[random.Next(1, nodes.Count)], AnyValue(random));
                return root;
            case TreeMutation.Delete when objects.Count > 0 && objects[random.Next(objects.Count)] is { Count: > 0 } o:
                o.Remove(o.ElementAt(random.Next(o.Count)).Key);
                return root;
            case TreeMutation.Add when objects.Count > 0:
                objects[random.Next(objects.Count)][_fieldNames[random.Next(_fieldNames.Length)]] = AnyValue(random);
                return root;
            case TreeMutation.Wrap when nodes.Count > 1:
                var node = nodes[random.Next(1, nodes.Count)];
                Replace(node, new JsonArray(node.DeepClone()));
                return root;
            default:
                return AnyValue(random) ?? new JsonArray(); // the root itself of another kind
        }
    }

    private static byte[] Mutate(byte[] body, TextMutation mutation, Random random)
    {
        var text = Encoding.UTF8.GetString(body);
        switch (mutation)
        {
            case TextMutation.Duplicate when text.IndexOf('{', StringComparison.Ordinal) is var brace and >= 0:
                var field = $"\"{_fieldNames[random.Next(_fieldNames.Length)]}\": {AnyValue(random)?.ToJsonString() ?? "null"}, ";
                return Encoding.UTF8.GetBytes(text.Insert(brace + 1, field));
            case TextMutation.HugeNumber when NumberLiteral().Matches(text) is { Count: > 0 } numbers:
                var number = numbers[random.Next(numbers.Count)];
                return Encoding.UTF8.GetBytes(string.Concat(text.AsSpan(0, number.Index), _numbers[random.Next(_numbers.Length)], text.AsSpan(number.Index + number.Length)));
            case TextMutation.LoneSurrogate when text.Contains('"', StringComparison.Ordinal):
                var quotes = Enumerable.Range(0, text.Length).Where(i => text[i] == '"').ToList();
                return Encoding.UTF8.GetBytes(text.Insert(quotes[random.Next(quotes.Count)] + 1, _surrogates[random.Next(_surrogates.Length)]));
            case TextMutation.InvalidUtf8:
                var at = random.Next(body.Length + 1);
                return [.. body.AsSpan(0, at), .. _invalidUtf8[random.Next(_invalidUtf8.Length)], .. body.AsSpan(at)];
            case TextMutation.ChangeByte when body.Length > 0:
                var changed = (byte[])body.Clone();
                changed[random.Next(changed.Length)] = (byte)random.Next(256);
                return changed;
            default:
                return body[..random.Next(body.Length + 1)]; // truncated
        }
    }

    private static JsonNode? AnyValue(Random random) => random.Next(12) switch
    {
        0 => JsonValue.Create("10"),
        1 => JsonValue.Create(true),
        2 => null,
        3 => JsonValue.Create(0),
        4 => JsonValue.Create(-1),
        5 => JsonValue.Create(2.5),
        6 => new JsonObject(),
        7 => new JsonArray(),
        8 => JsonValue.Create(string.Empty),
        9 => JsonValue.Create(new string('z', random.Next(1000, 20_000))),
        10 => JsonValue.Create("'x' + <y> & \"z\" \u00e9 \U0001F600"),
        _ => new JsonArray(JsonValue.Create("a"), JsonValue.Create(1), new JsonObject { ["role"] = "user" }),
    };

    private static void Replace(JsonNode node, JsonNode? value)
    {
        switch (node.Parent)
        {
            case JsonObject o:
                o[node.GetPropertyName()] = value;
                break;
            case JsonArray a:
                a[node.GetElementIndex()] = value;
                break;
        }
    }

    private static IEnumerable<JsonNode> Descendants(JsonNode? node)
    {
        if (node is null)
        {
            yield break;
        }

        yield return node;
        IEnumerable<JsonNode?> children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a,
            _ => [],
        };
        foreach (var child in children.ToList())
        {
            foreach (var d in Descendants(child))
            {
                yield return d;
            }
        }
    }

    [GeneratedRegex(@"-?\d+(\.\d+)?([eE][+-]?\d+)?")]
    private static partial Regex NumberLiteral();
}
