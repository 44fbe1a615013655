namespace Yardmaster.Server.Tests.Cli;

public sealed class ServerCallErrorTests
{
    [Theory]
    [InlineData("chat", "chat", "hello")]
    [InlineData("tasks")]
    [InlineData("models")]
    [InlineData("models", "load", "stories260K")]
    [InlineData("models", "unload", "stories260K")]
    [InlineData("stats", "--output", "json")]
    public async Task Command_ServerUnreachable_Exits1WithOneLineNamingTheUrlAndYardServe(params string[] args)
    {
        using var home = new TempDirectory();
        using var closed = new ClosedPort();
        var url = closed.Url.AbsoluteUri.TrimEnd('/');

        var (code, stdout, stderr) = await YardProcess.RunAsync([.. args, "--server", url], YardServeFixture.Environment(home.Path));

        Assert.Equal(1, code);
        Assert.Equal(string.Empty, stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: cannot reach the Yardmaster server at {url} (Connection refused)", line, StringComparison.Ordinal);
        Assert.Contains("'yard serve'", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Command_YardServerVariable_IsTheDefaultServer()
    {
        using var home = new TempDirectory();
        using var closed = new ClosedPort();
        var env = YardServeFixture.Environment(home.Path);
        env["YARD_SERVER"] = closed.Url.AbsoluteUri;

        var (code, _, stderr) = await YardProcess.RunAsync(["tasks"], env);

        Assert.Equal(1, code);
        Assert.Contains($"at {closed.Url.AbsoluteUri.TrimEnd('/')} ", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--server", "not-a-url", "error: --server: 'not-a-url' is not an absolute http(s) URL")]
    [InlineData("--output", "xml", "--output: 'xml' is not one of text, json")]
    public async Task Stats_BadOption_Exits2NamingIt(string option, string value, string message)
    {
        using var home = new TempDirectory();

        var (code, _, stderr) = await YardProcess.RunAsync(["stats", option, value], YardServeFixture.Environment(home.Path));

        Assert.Equal(2, code);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_NoPrompt_Exits2()
    {
        using var home = new TempDirectory();

        var (code, _, stderr) = await YardProcess.RunAsync(["chat", "chat"], YardServeFixture.Environment(home.Path));

        Assert.Equal(2, code);
        Assert.Contains("see 'yard chat --help'", stderr, StringComparison.Ordinal);
    }
}
