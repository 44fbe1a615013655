using Yardmaster.Cli;

namespace Yardmaster.Server.Tests.Cli;

public sealed class YardCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "yard-cli-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task RunAsync_ModelCreateSynthetic_WritesTheFileAndExitsZero()
    {
        var path = Path.Combine(_dir, "m.gguf");

        var code = await YardCommand.RunAsync(["model", "create", "--synthetic", "--params", "300K", "--type", "q8_0", "--seed", "5", "--out", path]);

        Assert.Equal(0, code);
        using var file = Yardmaster.Inference.Gguf.GgufFile.Open(path);
        Assert.Equal("m", file.GetString("general.name"));
        Assert.Equal(5, file.GetInt64("yardmaster.synthetic.seed", 0));
    }

    [Theory]
    [InlineData("--params", "12X", "--params: '12X' is not a parameter count")]
    [InlineData("--type", "q4_1", "--type: 'q4_1' is not one of f32, f16, q8_0")]
    [InlineData("--seed", "-1", "--seed: '-1' is not a non-negative integer")]
    [InlineData("--ctx", "0", "--ctx: '0' is not a context length")]
    [InlineData("--vocab-from", "/no/such.gguf", "--vocab-from: '/no/such.gguf' does not exist")]
    [InlineData("--output", "xml", "--output: 'xml' is not one of text, json")]
    public async Task RunAsync_ModelCreateBadOption_ExitsTwoNamingOptionAndValue(string option, string value, string message)
    {
        var args = new Dictionary<string, string>
        {
            ["--params"] = "1M", ["--type"] = "f32", ["--out"] = Path.Combine(_dir, "x.gguf"), [option] = value,
        };
        using var error = new StringWriter();

        var code = await YardCommand.RunAsync(["model", "create", "--synthetic", .. args.SelectMany(kv => new[] { kv.Key, kv.Value })], error);

        Assert.Equal(2, code);
        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dir));
    }

    [Fact]
    public async Task RunAsync_ModelCreateWithoutSynthetic_ExitsTwo()
    {
        using var error = new StringWriter();

        var code = await YardCommand.RunAsync(["model", "create", "--params", "1M", "--type", "f32", "--out", Path.Combine(_dir, "x.gguf")], error);

        Assert.Equal(2, code);
        Assert.Contains("pass --synthetic", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no-such-model", "'no-such-model' is neither a known model")]
    [InlineData("http://127.0.0.1:1/readme.txt", "does not name a .gguf file")]
    public async Task RunAsync_PullBadModel_ExitsTwo(string model, string message)
    {
        using var error = new StringWriter();

        var code = await YardCommand.RunAsync(["pull", model], error);

        Assert.Equal(2, code);
        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_PullBadBaseUrl_ExitsTwo()
    {
        using var error = new StringWriter();

        var code = await YardCommand.RunAsync(["pull", "--base-url", "models/here"], error);

        Assert.Equal(2, code);
        Assert.Contains("--base-url: 'models/here' is not an absolute http(s) URL", error.ToString(), StringComparison.Ordinal);
    }
}
