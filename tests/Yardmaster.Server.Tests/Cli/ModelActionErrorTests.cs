using System.Text.Json;

namespace Yardmaster.Server.Tests.Cli;

/// <summary><c>yard models load|unload</c> on models that cannot load or are not loaded: the server's reason at once, and what is true.</summary>
public sealed class ModelActionErrorTests(FailingModelsServeFixture server) : IClassFixture<FailingModelsServeFixture>
{
    [Fact]
    public async Task ModelsLoadWait_CommandExitsBeforeReady_Exits1WithTheServersReasonNotTheTimeout()
    {
        var (code, stdout, stderr) = await server.RunAsync("models", "load", "broken", "--wait", "--timeout", "600");
        var (_, json, _) = await server.RunAsync("models", "--output", "json");

        Assert.Equal(1, code);
        Assert.Equal(string.Empty, stdout);
        Assert.StartsWith("error: broken: load failed: model 'broken': the command exited with code 3 before it was ready", stderr, StringComparison.Ordinal);
        Assert.Contains("cannot open the weights", stderr, StringComparison.Ordinal);
        Assert.Contains("see 'yard models' and the server's log", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("after 600 s", stderr, StringComparison.Ordinal);
        var broken = JsonDocument.Parse(json).RootElement.EnumerateArray().Single(m => m.GetProperty("name").GetString() == "broken").GetProperty("status");
        Assert.True(broken.GetProperty("failures").GetInt32() >= 1);
        Assert.Contains("exited with code 3", broken.GetProperty("last_failure").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelsLoadWait_LargerThanTheMemoryBudget_Exits1NamingTheBudget()
    {
        var (code, stdout, stderr) = await server.RunAsync("models", "load", "huge", "--wait");

        Assert.Equal(1, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Matches(@"^error: POST api/models/huge/load: 409 Conflict: needs 65536\.0 GiB, more than the cpu budget of [\d.]+ [KMGT]iB\n$", stderr);
    }

    [Theory]
    [InlineData("--output", "text")]
    [InlineData("--wait")]
    public async Task ModelsUnload_NotLoaded_SaysNothingToUnload(params string[] options)
    {
        var (code, stdout, stderr) = await server.RunAsync(["models", "unload", "huge", .. options]);

        Assert.True(code == 0, stderr);
        Assert.Equal("huge: not loaded; nothing to unload\n", stdout);
    }

    [Fact]
    public async Task ModelsUnload_NotLoadedJson_AnswersStateUnloaded()
    {
        var (code, stdout, _) = await server.RunAsync("models", "unload", "huge", "--output", "json");

        Assert.Equal(0, code);
        Assert.Equal("unloaded", JsonDocument.Parse(stdout).RootElement.GetProperty("state").GetString());
    }
}
