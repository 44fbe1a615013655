using System.Text.Json;
using Yardmaster.Server.Caching;

namespace Yardmaster.Server.Tests.Caching;

/// <summary>The cache key, pure: what makes two requests the same answer and what keeps them apart.</summary>
public sealed class RequestKeyTests
{
    [Fact]
    public void Compute_KeyOrderSpacingNumberFormAndModel_SameKey()
    {
        var a = Key("""{"model":"x","temperature":0,"messages":[{"role":"user","content":"hi"}],"max_tokens":8}""");
        var b = Key("""{ "max_tokens": 8.0, "messages": [ { "content": "hi", "role": "user" } ], "temperature": 0.0, "model": "y" }""");

        Assert.Equal(a, b);
    }

    [Fact]
    public void Compute_NamesAndStringsWrittenWithEscapes_SameKeyAsWrittenPlainly()
    {
        var plain = Key("""{"temperature":0,"messages":[{"role":"user","content":"hé"}],"max_tokens":8}""");
        var escaped = Key("""{"max_tokens":8,"\u0074emperature":0,"messages":[{"\u0063ontent":"h\u00e9","r\u006fle":"user"}]}""");

        Assert.Equal(plain, escaped);
    }

    [Fact]
    public void Canonical_Names_SortedByCodePointWithOrWithoutEscapes()
    {
        using var plain = JsonDocument.Parse("""{"é":1,"b":2,"😀":3,"ﬁ":4,"a":5}""");
        using var escaped = JsonDocument.Parse("""{"\u00e9":1,"b":2,"\ud83d\ude00":3,"\ufb01":4,"\u0061":5}""");

        // U+FB01 before U+1F600: code point order (UTF-16 order would put the surrogate pair first).
        Assert.Equal("""{"a":5,"b":2,"\u00E9":1,"\uFB01":4,"\uD83D\uDE00":3}""", RequestKey.Canonical(plain.RootElement));
        Assert.Equal(RequestKey.Canonical(plain.RootElement), RequestKey.Canonical(escaped.RootElement));
    }

    [Fact]
    public void Compute_DuplicateNamesWithTheirValuesSwapped_OtherKey()
    {
        // A backend reads the last of two members of the same name: these ask for 9 and 8 tokens. More than 16 members,
        // so that the sort is not an insertion sort.
        var others = string.Concat(Enumerable.Range(0, 20).Select(i => $"\"p{i}\":{i},"));
        var nine = Key("{" + others + "\"max_tokens\":8,\"temperature\":0,\"max_tokens\":9}");
        var eight = Key("{" + others + "\"max_tokens\":9,\"temperature\":0,\"max_tokens\":8}");

        Assert.NotEqual(nine, eight);
        Assert.Equal(nine, Key("{\"max_tokens\":8,\"temperature\":0,\"max_tokens\":9," + others.TrimEnd(',') + "}"));
    }

    [Fact]
    public void Compute_ModelInsideAMessage_PartOfTheKey() =>
        Assert.NotEqual(
            Key("""{"temperature":0,"messages":[{"role":"user","content":"hi","model":"a"}]}"""),
            Key("""{"temperature":0,"messages":[{"role":"user","content":"hi","model":"b"}]}"""));

    [Theory]
    [InlineData("""{"temperature":0,"messages":[{"role":"user","content":"hi!"}],"max_tokens":8}""")]
    [InlineData("""{"temperature":0,"messages":[{"role":"user","content":"hi"}],"max_tokens":9}""")]
    [InlineData("""{"temperature":0,"messages":[{"role":"user","content":"hi"}],"max_tokens":8,"top_p":0.5}""")]
    [InlineData("""{"temperature":0,"messages":[{"role":"user","content":"hi"}],"max_tokens":8,"stream":true}""")]
    public void Compute_AnyOtherField_OtherKey(string json) =>
        Assert.NotEqual(Key("""{"temperature":0,"messages":[{"role":"user","content":"hi"}],"max_tokens":8}"""), Key(json));

    [Fact]
    public void Compute_OtherScopeEndpointOrTenant_OtherKey()
    {
        using var doc = JsonDocument.Parse("""{"temperature":0,"prompt":"hi"}""");
        var key = RequestKey.Compute("model:m", chat: false, "t1", doc.RootElement);

        Assert.NotEqual(key, RequestKey.Compute("model:n", chat: false, "t1", doc.RootElement));
        Assert.NotEqual(key, RequestKey.Compute("model:m", chat: true, "t1", doc.RootElement));
        Assert.NotEqual(key, RequestKey.Compute("model:m", chat: false, "t2", doc.RootElement));
    }

    [Theory]
    [InlineData("""{"temperature":0}""", true)]
    [InlineData("""{"temperature":0.0}""", true)]
    [InlineData("""{"seed":7,"temperature":0.9}""", true)]
    [InlineData("""{"temperature":0.2}""", false)]
    [InlineData("""{}""", false)]
    [InlineData("""{"temperature":"0"}""", false)]
    public void IsDeterministic_Request_OnlyTemperatureZeroOrSeed(string json, bool expected)
    {
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(expected, RequestKey.IsDeterministic(doc.RootElement));
    }

    private static CacheKey Key(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return RequestKey.Compute("model:m", chat: true, string.Empty, doc.RootElement);
    }
}
