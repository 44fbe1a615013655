using Yardmaster.Runtime.Paths;

namespace Yardmaster.Runtime.Tests.Paths;

/// <summary>Paths checked as the kernel resolves them: links followed, "..", relative paths, loops.</summary>
public sealed class ConfinedPathsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public ConfinedPathsTests()
    {
        Directory.CreateDirectory(_dir.File("allowed/sub"));
        Directory.CreateDirectory(_dir.File("outside"));
        File.WriteAllText(_dir.File("outside/secret"), "x");
        Directory.CreateSymbolicLink(_dir.File("allowed/out"), _dir.File("outside"));
        Directory.CreateSymbolicLink(_dir.File("allowed/in"), "sub");
        File.CreateSymbolicLink(_dir.File("allowed/loop"), _dir.File("allowed/loop"));
    }

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("allowed/sub/file.txt", "allowed/sub/file.txt")]
    [InlineData("allowed/in/file.txt", "allowed/sub/file.txt")]
    [InlineData("allowed/sub/../sub/new/deeper", "allowed/sub/new/deeper")]
    [InlineData("allowed", "allowed")]
    [InlineData("allowed/out/secret", null)]
    [InlineData("allowed/out/../outside", null)]
    [InlineData("allowed/../outside/secret", null)]
    [InlineData("allowed/loop", null)]
    [InlineData("allowedx/file", null)]
    public void Within_PathUnderTheRoot_ResolvedOrNull(string path, string? expected)
    {
        var resolved = ConfinedPaths.Within(_dir.File(path), [_dir.File("allowed")]);

        Assert.Equal(expected is null ? null : _dir.File(expected), resolved);
    }

    [Fact]
    public void Within_RelativePath_TakenAgainstTheBase()
    {
        Assert.Equal(_dir.File("allowed/sub/a.jsonl"), ConfinedPaths.Within("a.jsonl", [_dir.File("allowed")], _dir.File("allowed/sub")));
        Assert.Null(ConfinedPaths.Within("../../outside/secret", [_dir.File("allowed")], _dir.File("allowed/sub")));
    }

    [Fact]
    public void Within_RootItselfALink_ComparedResolved()
    {
        Directory.CreateSymbolicLink(_dir.File("root-link"), _dir.File("allowed"));

        Assert.Equal(_dir.File("allowed/sub/x"), ConfinedPaths.Within(_dir.File("allowed/sub/x"), [_dir.File("root-link")]));
    }
}
