using Yardmaster.Runtime.Pipelines;

namespace Yardmaster.Runtime.Tests.Pipelines;

/// <summary>A map's kept items on a real file: written whole, read back exactly, and anything unreadable taken as none.</summary>
public sealed class MapSnapshotTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Write_ItemsOfAnyText_ReadBackExactlyWithTheFirstAttempt()
    {
        var path = MapSnapshot.PathOf(_dir.Path, "r1", "each");
        string[] items = ["a", "{\"q\": 1, \"text\": \"é \\\" \\n\"}", "line with spaces", "shards/x/d.txt", "日本語", ""];

        Assert.Null(MapSnapshot.Write(path, 7, items));

        var read = MapSnapshot.Read(path);
        Assert.NotNull(read);
        Assert.Equal(7, read.Value.FirstAttempt);
        Assert.Equal(items, read.Value.Items);
        Assert.Equal(Path.Combine(_dir.Path, "r1", "map", "each.json"), path);
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void Write_Again_ReplacesTheItems()
    {
        var path = MapSnapshot.PathOf(_dir.Path, "r1", "each");
        Assert.Null(MapSnapshot.Write(path, 1, ["a", "b", "c"]));
        Assert.Null(MapSnapshot.Write(path, 4, ["x"]));

        var read = MapSnapshot.Read(path)!.Value;
        Assert.Equal(4, read.FirstAttempt);
        Assert.Equal(["x"], read.Items);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"first_attempt\": 1, \"items\": [\"a\"")]
    [InlineData("[\"a\"]")]
    [InlineData("{\"first_attempt\": \"1\", \"items\": [\"a\"]}")]
    [InlineData("{\"first_attempt\": 1, \"items\": [\"a\", 2]}")]
    [InlineData("{\"items\": [\"a\"]}")]
    [InlineData("{\"first_attempt\": 1, \"items\": [\"\\ud800\"]}")]
    public void Read_DamagedOrForeignFile_None(string text)
    {
        var path = MapSnapshot.PathOf(_dir.Path, "r1", "each");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);

        Assert.Null(MapSnapshot.Read(path));
    }

    [Fact]
    public void Read_NoFile_None() => Assert.Null(MapSnapshot.Read(MapSnapshot.PathOf(_dir.Path, "r1", "each")));

    [Fact]
    public void Write_FolderCannotBeMade_SaysWhereAndLeavesNothing()
    {
        File.WriteAllText(_dir.File("r1"), "a file where the run's folder would be");
        var path = MapSnapshot.PathOf(_dir.Path, "r1", "each");

        var error = MapSnapshot.Write(path, 1, ["a"]);

        Assert.NotNull(error);
        Assert.Contains(path, error, StringComparison.Ordinal);
        Assert.Null(MapSnapshot.Read(path));
    }

    [Fact]
    public void Write_ItemWithALoneSurrogate_ReadBackAsTheStepSeesIt()
    {
        var path = MapSnapshot.PathOf(_dir.Path, "r1", "each");
        Assert.Null(MapSnapshot.Write(path, 1, ["ok", "bad \ud800"]));

        // $YARD_ITEM is UTF-8 too: a step is given U+FFFD for the lone surrogate, before a restart and after.
        Assert.Equal(["ok", "bad \ufffd"], MapSnapshot.Read(path)!.Value.Items);
    }
}
