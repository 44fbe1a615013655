using Yardmaster.Inference.Catalog;

namespace Yardmaster.Inference.Tests.Catalog;

public class ModelCacheTests
{
    [Fact]
    public void FromEnvironment_YardHome_UsesItsModelsDirectory()
    {
        var cache = ModelCache.FromEnvironment(name => name == "YARD_HOME" ? "/tmp/yard-home" : null);

        Assert.Equal("/tmp/yard-home/models", cache.Directory);
    }

    [Fact]
    public void FromEnvironment_NoYardHome_UsesUserCache()
    {
        var cache = ModelCache.FromEnvironment(_ => null);

        Assert.EndsWith("/.cache/yardmaster/models", cache.Directory, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../x.gguf")]
    [InlineData("a/b.gguf")]
    [InlineData("..")]
    public void GetPath_NotAPlainFileName_Throws(string name)
    {
        Assert.Throws<ArgumentException>(() => new ModelCache("/tmp/c").GetPath(name));
    }

    [Fact]
    public void Contains_FileWithWrongSize_IsNotPresent()
    {
        using var dir = new TempDirectory();
        var cache = new ModelCache(dir.Path);
        File.WriteAllBytes(cache.GetPath("stories260K.gguf"), new byte[10]);

        Assert.False(cache.Contains(ModelCatalog.Default, out var path));
        Assert.Equal(dir.File("stories260K.gguf"), path);
    }
}
