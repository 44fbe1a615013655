using Yardmaster.Core.Pipelines;
using Yardmaster.Server.Backends;

namespace Yardmaster.Server.Tests.Backends;

public sealed class ClusterReplicaRecordTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WriteAsync_ThenReadAsync_SameRecord()
    {
        using var dir = new TempDirectory();
        var attempt = dir.File("jobs/model.m.1.x");
        var record = new ClusterReplicaRecord("m", 1, "slurm", "model.m.1.x", "n2", new Uri("http://10.0.0.2:23456/"), dir.File("m-1.log"), ["dotnet", "yard.dll", "model-server", "--port", "23456", "it's"], 23456, new ResourceRequest(2000, 1L << 30, 1), "0123abcd");

        await record.WriteAsync(attempt, Ct);
        var read = await ClusterReplicaRecord.ReadAsync(attempt, Ct);

        Assert.NotNull(read);
        Assert.Equal(record with { Arguments = read.Arguments }, read);
        Assert.Equal(record.Arguments, read.Arguments);
    }

    [Fact]
    public async Task ReadAsync_MissingOrTorn_Null()
    {
        using var dir = new TempDirectory();
        Assert.Null(await ClusterReplicaRecord.ReadAsync(dir.Path, Ct));
        await File.WriteAllTextAsync(Path.Combine(dir.Path, ClusterReplicaRecord.FileName), "{\"model\": \"m\", \"repl", Ct);
        Assert.Null(await ClusterReplicaRecord.ReadAsync(dir.Path, Ct));
    }

    [Fact]
    public async Task Forgetting_Called_ReleasesAndDeletesTheRecord()
    {
        using var dir = new TempDirectory();
        var record = new ClusterReplicaRecord("m", 0, "slurm", "a", "n1", new Uri("http://n1:20000/"), dir.File("log"), ["x"], 20000, ResourceRequest.Default, string.Empty);
        await record.WriteAsync(dir.Path, Ct);
        var released = 0;

        ClusterReplicaRecord.Forgetting(dir.Path, () => released++)();

        Assert.Equal(1, released);
        Assert.Null(await ClusterReplicaRecord.ReadAsync(dir.Path, Ct));
    }
}
