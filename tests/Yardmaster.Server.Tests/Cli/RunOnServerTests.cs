using System.Globalization;
using System.Text;

namespace Yardmaster.Server.Tests.Cli;

/// <summary><c>yard run --server</c> judges a pipeline as the embedded <c>yard run</c> does, and says so in the same words.</summary>
public sealed class RunOnServerTests(YardServeFixture server) : IClassFixture<YardServeFixture>
{
    [Theory]
    [InlineData(5, false)]
    [InlineData(5, true)]
    [InlineData(150, false)]
    [InlineData(150, true)]
    public async Task Run_InvalidPipeline_SameErrorsAndCountEmbeddedAndOnTheServer(int errors, bool check)
    {
        using var dir = new TempDirectory();
        var file = dir.File("bad.yaml");
        await File.WriteAllTextAsync(file, UnknownNeeds(errors), TestContext.Current.CancellationToken);
        string[] args = check ? ["run", file, "--check"] : ["run", file];

        var embedded = await YardProcess.RunAsync([.. args, "--data", dir.File("data")], YardServeFixture.Environment(dir.Path));
        var remote = await server.RunAsync(args);

        Assert.Equal(2, embedded.ExitCode);
        Assert.Equal(2, remote.ExitCode);
        Assert.Equal(embedded.Stderr, remote.Stderr);
        var lines = remote.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Math.Min(errors, 100), lines.Count(l => l.StartsWith("error: ", StringComparison.Ordinal)));
        Assert.StartsWith($"error: {file}:3:", lines[0], StringComparison.Ordinal);
        var summary = $"{errors} errors in {file}" + (check ? string.Empty : "; nothing was started");
        Assert.Equal(summary, lines[^1]);
        if (errors > 100)
        {
            Assert.Equal($"and {errors - 100} more errors", lines[^2]);
        }
    }

    /// <summary>A pipeline whose <paramref name="steps"/> steps each need a step that does not exist.</summary>
    private static string UnknownNeeds(int steps)
    {
        var yaml = new StringBuilder("name: bad\nsteps:\n");
        for (var i = 0; i < steps; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"  - {{ id: s{i}, run: \"true\", needs: [missing{i}] }}\n");
        }

        return yaml.ToString();
    }
}
