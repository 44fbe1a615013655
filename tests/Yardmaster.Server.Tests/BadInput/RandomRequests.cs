using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;

namespace Yardmaster.Server.Tests.BadInput;

/// <summary>
/// Generates requests for every <c>/v1</c> and <c>/api</c> route of <c>yard serve</c> (from GatewayApp.cs,
/// ManagementApi.cs and Pipelines/RunsApi.cs): a valid body of the route mutated (a value's type flipped, a
/// field deleted, duplicated or added, huge numbers, lone surrogates, invalid UTF-8, truncation), or random
/// bytes, or deep nesting; names in paths from a pool of good and bad ones; a random content type.
/// FsCheck chooses; the choices are a pure function of the seed, so a failure replays.
/// </summary>
public static class RandomRequests
{
    private const string Pipeline = "name: fuzz\nsteps:\n  - id: a\n    run: \"true\"\n";

    private static readonly (string Method, string Path, string? Template)[] _routes =
    [
        ("POST", "/v1/chat/completions", """{"model": "chat", "messages": [{"role": "user", "content": "Once"}], "max_tokens": 3, "temperature": 0, "stream": false, "stop": ["x"], "seed": 1, "stream_options": {"include_usage": true}, "logprobs": false}"""),
        ("POST", "/v1/completions", """{"model": "chat", "prompt": "Once", "max_tokens": 3, "stream": true, "logprobs": 0, "echo": false, "top_p": 0.9, "n": 1}"""),
        ("POST", "/v1/embeddings", """{"model": "chat", "input": ["Once", "upon"], "encoding_format": "float", "dimensions": 64, "user": "u"}"""),
        ("GET", "/v1/models", null),
        ("GET", "/api/tasks", null),
        ("POST", "/api/tasks", """{"name": "fuzz", "models": ["stories"], "priority": "normal", "max_concurrency": 2, "latency": "5s"}"""),
        ("GET", "/api/tasks/{name}", null),
        ("PUT", "/api/tasks/{name}", """{"name": "fuzz", "models": ["stories"], "priority": "low", "rate": {"rate": "10/s", "burst": 2}}"""),
        ("DELETE", "/api/tasks/{name}", null),
        ("GET", "/api/models", null),
        ("POST", "/api/models", """{"name": "fuzzm", "path": "missing.gguf", "slots": 1, "context": 64, "replicas": {"min": 0, "max": 1}}"""),
        ("GET", "/api/models/{name}", null),
        ("PUT", "/api/models/{name}", """{"name": "fuzzm", "path": "missing.gguf", "slots": 2, "keep_alive": "10s"}"""),
        ("DELETE", "/api/models/{name}", null),
        ("POST", "/api/models/{name}/load", null),
        ("POST", "/api/models/{name}/unload", null),
        ("GET", "/api/stats", null),
        ("GET", "/api/runs?limit={query}&pipeline={name}", null),
        ("POST", "/api/runs", $$"""{"yaml": {{JsonValue.Create(Pipeline).ToJsonString()}}, "file": "fuzz.yaml"}"""),
        ("GET", "/api/runs/{name}?transitions={query}", null),
        ("POST", "/api/runs/{name}/cancel", null),
        ("POST", "/api/runs/{name}/retry", """{"step": "a"}"""),
        ("GET", "/api/runs/{name}/logs/{name}", null),
        ("GET", "/api/pipelines", null),
        ("POST", "/api/pipelines/validate", $$"""{"yaml": {{JsonValue.Create(Pipeline).ToJsonString()}}, "file": "f.yaml"}"""),
    ];

    private static readonly string[] _names = ["chat", "stories", "fuzz", "fuzzm", "nope", "%3Cy%3E'x'", "a%20b", "%C3%A9", "..%2F..", new('n', 300), "0", "%FF"];

    private static readonly string[] _queries = ["10", "0", "-1", "abc", "99999999999999999999", "false", "%00", ""];

    private static readonly string?[] _contentTypes =
        ["application/json", "application/json", "application/json", "application/json; charset=utf-8", "text/plain", null, "application/x-www-form-urlencoded", "application/yaml", "multipart/form-data; boundary=x"];

    /// <summary>Every route of the server, as (method, path template), for the test's report.</summary>
    public static IEnumerable<string> Routes => _routes.Select(r => $"{r.Method} {r.Path}");

    /// <summary>The generator of one request.</summary>
    public static Gen<RandomRequest> Generator { get; } =
        from route in Gen.Frequency(_routes.Select(r => (r.Path.StartsWith("/v1/", StringComparison.Ordinal) && r.Template is not null ? 6 : 1, Gen.Constant(r))))
        from names in Gen.ArrayOf(Gen.Elements(_names), 2)
        from query in Gen.Elements(_queries)
        from contentType in Gen.Elements(_contentTypes)
        from kind in Gen.Frequency((12, Gen.Constant(BodyKind.Mutated)), (2, Gen.Constant(BodyKind.Valid)), (1, Gen.Constant(BodyKind.RandomBytes)), (1, Gen.Constant(BodyKind.DeepNesting)), (1, Gen.Constant(BodyKind.Empty)))
        from mutations in Gen.Choose(1, 3)
        from seed in Gen.Choose(0, int.MaxValue)
        select Make(route, names, query, contentType, kind, mutations, seed);

    private static RandomRequest Make((string Method, string Path, string? Template) route, string[] names, string query, string? contentType, BodyKind kind, int mutations, int seed)
    {
        var path = route.Path.Replace("{query}", query, StringComparison.Ordinal);
        var at = path.IndexOf("{name}", StringComparison.Ordinal);
        path = at < 0 ? path : string.Concat(path.AsSpan(0, at), names[0], path.AsSpan(at + 6));
        path = path.Replace("{name}", names[1], StringComparison.Ordinal);
        if (route.Method is "GET" or "DELETE")
        {
            return new RandomRequest(route.Method, path, null, null, "no body");
        }

        var random = new Random(seed);
        var template = route.Template ?? "{}";
        var (body, how) = kind switch
        {
            BodyKind.Valid => (Encoding.UTF8.GetBytes(template), "valid"),
            BodyKind.RandomBytes => (RandomBytes(random), "random bytes"),
            BodyKind.DeepNesting => Nesting(random),
            BodyKind.Empty => ([], "empty"),
            _ => JsonMutations.Apply(template, mutations, random),
        };
        return new RandomRequest(route.Method, path, contentType, body, how);
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(1, 200)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static (byte[], string) Nesting(Random random)
    {
        var depth = random.Next(30, 3000);
        var open = random.Next(2) == 0 ? "[" : "{\"a\":";
        var close = open == "[" ? "]" : "}";
        return (Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth))), $"nesting {depth} deep");
    }

    private enum BodyKind
    {
        Valid,
        Mutated,
        RandomBytes,
        DeepNesting,
        Empty,
    }
}
