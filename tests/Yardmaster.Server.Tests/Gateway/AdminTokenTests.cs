using Yardmaster.Core.Configuration;
using Yardmaster.Server.Gateway;
using Yardmaster.Storage;

namespace Yardmaster.Server.Tests.Gateway;

/// <summary>The generated admin token when several servers share one data folder and start at the same moment.</summary>
public sealed class AdminTokenTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EnsureAsync_EightServersStartingAtOnceInAnEmptyFolder_OneTokenCreatedAndAllUseIt()
    {
        using var data = new TempDirectory();
        await using var store = await StoreOpener.OpenRegistryAsync(new StoreSettings(), Path.Combine(data.Path, "yard.db"), TimeProvider.System, null, Ct);
        using var start = new ManualResetEventSlim();

        var starts = Enumerable.Range(0, 8).Select(_ => Task.Run(
            async () =>
            {
                start.Wait(Ct);
                return await AdminToken.EnsureAsync(data.Path, store, Ct);
            },
            Ct)).ToList();
        start.Set();
        var results = await Task.WhenAll(starts);

        Assert.Single(results, r => r.Created);
        var token = (await File.ReadAllTextAsync(Path.Combine(data.Path, AdminToken.FileName), Ct)).Trim();
        Assert.All(results, r => Assert.Equal(ApiKeys.Hash(token), r.Hash));
        Assert.Equal(ApiKeys.Hash(token), await store.GetCredentialHashAsync(AdminToken.CredentialName, Ct));
        Assert.Empty(Directory.GetFiles(data.Path, "*.new")); // no draft left behind
    }
}
