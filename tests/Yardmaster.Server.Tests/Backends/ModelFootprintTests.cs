using Yardmaster.Core.Configuration;
using Yardmaster.Runtime.Serving;
using Yardmaster.Server.Backends;

namespace Yardmaster.Server.Tests.Backends;

public sealed class ModelFootprintTests
{
    [Theory]
    [InlineData(1, 128)]
    [InlineData(4, 256)]
    public async Task Estimate_BuiltinModel_CoversWhatTheLoadedReplicaMeasures(int slots, int context)
    {
        var definition = new ModelDefinition { Name = "s", Path = SharedModels.Stories260K, Slots = slots, Context = context };
        var estimate = ModelFootprint.Estimate(definition).Bytes;

        await using var replica = await BuiltinReplica.StartAsync(definition, null, TimeProvider.System, TestContext.Current.CancellationToken);

        // The estimate counts the whole file where the measurement counts the tensors: it is above by the
        // header and vocabulary only, never below.
        var headerAndVocabulary = new FileInfo(SharedModels.Stories260K).Length - replica.WeightBytes;
        Assert.Equal(replica.MemoryBytes + headerAndVocabulary, estimate);
        Assert.InRange(headerAndVocabulary, 0, new FileInfo(SharedModels.Stories260K).Length / 2);
    }

    [Fact]
    public void Estimate_DeclaredMemory_Wins() =>
        Assert.Equal(FootprintEstimate.Of(123L << 20), ModelFootprint.Estimate(new ModelDefinition { Name = "s", Path = SharedModels.Stories260K, Memory = 123L << 20 }));

    [Fact]
    public void Estimate_ProcessBackend_AddsTheChildsRuntime()
    {
        var builtin = ModelFootprint.Estimate(new ModelDefinition { Name = "s", Path = SharedModels.Stories260K }).Bytes;
        var process = ModelFootprint.Estimate(new ModelDefinition { Name = "s", Backend = BackendKind.Process, Command = "x {port}", Path = SharedModels.Stories260K }).Bytes;
        Assert.Equal(builtin + ModelFootprint.ChildRuntimeBytes, process);
    }

    [Fact]
    public void Estimate_HttpBackend_HoldsNoMemoryHere() =>
        Assert.Equal(FootprintEstimate.Of(0), ModelFootprint.Estimate(new ModelDefinition { Name = "r", Backend = BackendKind.Http, Url = new Uri("http://127.0.0.1:9/v1") }));

    [Fact]
    public void Estimate_SlurmBackendWithDeclaredMemory_HoldsNoMemoryHere() =>
        Assert.Equal(FootprintEstimate.Of(0), ModelFootprint.Estimate(new ModelDefinition { Name = "c", Backend = BackendKind.Slurm, Command = "x {port}", Memory = 1L << 30 }));

    [Fact]
    public void Estimate_MissingFile_ErrorNamingThePathNotAGuess()
    {
        using var dir = new TempDirectory();
        var missing = dir.File("gone.gguf");

        var builtin = ModelFootprint.Estimate(new ModelDefinition { Name = "s", Path = missing });
        var process = ModelFootprint.Estimate(new ModelDefinition { Name = "s", Backend = BackendKind.Process, Command = "x {path} {port}", Path = missing });

        Assert.Equal(FootprintEstimate.Failed($"{missing} does not exist"), builtin);
        Assert.Equal(FootprintEstimate.Failed($"{missing} does not exist"), process);
    }

    [Fact]
    public async Task Estimate_NotAGgufFile_ErrorForTheBuiltinAndForAProcessWithoutMemory()
    {
        using var dir = new TempDirectory();
        var text = dir.File("model.bin");
        await File.WriteAllTextAsync(text, "not a model at all", TestContext.Current.CancellationToken);

        Assert.Equal($"{text} is not a GGUF file (it does not start with 'GGUF')", ModelFootprint.Estimate(new ModelDefinition { Name = "s", Path = text }).Error);
        Assert.StartsWith($"{text} is not a GGUF file", ModelFootprint.Estimate(new ModelDefinition { Name = "p", Backend = BackendKind.Process, Command = "x {path} {port}", Path = text }).Error, StringComparison.Ordinal);
        Assert.Equal(FootprintEstimate.Of(1L << 30), ModelFootprint.Estimate(new ModelDefinition { Name = "p", Backend = BackendKind.Process, Command = "x {path} {port}", Path = text, Memory = 1L << 30 }));
    }
}
