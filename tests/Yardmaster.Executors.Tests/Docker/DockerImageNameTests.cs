using Yardmaster.Core.Execution;
using Yardmaster.Executors.Docker;

namespace Yardmaster.Executors.Tests.Docker;

/// <summary>An image name reaches the real engine as one path segment: characters that mean something in a URL ask for nothing else.</summary>
public sealed class DockerImageNameTests(DockerEngineFixture engine) : IClassFixture<DockerEngineFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ImageExistsAsync_NameWithASlashAndATag_FindsTheImage()
    {
        Assert.True(await engine.Engine.ImageExistsAsync(DockerEngineFixture.Image, Token));
    }

    [Theory]
    [InlineData("yard/busybox:local/json?")]
    [InlineData("yard/busybox:local/json#")]
    [InlineData("x/../../images/yard/busybox:local")]
    [InlineData("yard/busybox:local/json?a=1&b=2")]
    public async Task ImageExistsAsync_NameWithUrlCharacters_NeverAnswersForAnotherImage(string name)
    {
        // Unescaped, each of these names asked for /images/yard/busybox:local/json, which exists.
        bool exists;
        try
        {
            exists = await engine.Engine.ImageExistsAsync(name, Token);
        }
        catch (DockerEngineException)
        {
            exists = false; // the engine refused the name (an invalid reference): also not another image
        }

        Assert.False(exists);
    }

    [Fact]
    public async Task StartAsync_ImageNameWithUrlCharacters_FailsNamingIt()
    {
        using var dir = new TempDirectory();
        var launch = engine.Launch(dir, "badimage.1", "true") with { Container = new ContainerSpec("yard/busybox:local/json?", ["true"]) };

        var start = await engine.Executor.StartAsync(launch, Token);

        Assert.Null(start.Process);
        Assert.StartsWith("image 'yard/busybox:local/json?' is not an image reference", start.Error, StringComparison.Ordinal);
        Assert.Null(await engine.InspectAsync(launch));
    }
}
