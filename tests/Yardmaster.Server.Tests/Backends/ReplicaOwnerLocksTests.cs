using Yardmaster.Server.Backends;

namespace Yardmaster.Server.Tests.Backends;

public sealed class ReplicaOwnerLocksTests
{
    [Fact]
    public void TryInherit_OwnerAlive_FalseUntilItEnds()
    {
        using var dir = new TempDirectory();
        var alive = ReplicaOwnerLocks.Take(dir.Path);
        using var starting = ReplicaOwnerLocks.Take(dir.Path);

        Assert.False(starting.TryInherit(alive.Own));
        alive.Dispose();
        Assert.True(starting.TryInherit(alive.Own));
        Assert.True(starting.TryInherit(starting.Own));
    }

    [Fact]
    public void TryInherit_OwnerKilledWithItsLockFileLeft_TrueAndHeldAgainstAThird()
    {
        using var dir = new TempDirectory();
        var owners = Path.Combine(dir.Path, "owners");
        Directory.CreateDirectory(owners);
        File.WriteAllText(Path.Combine(owners, "deadbeef.lock"), string.Empty); // a killed server's lock file: no process holds it
        using var second = ReplicaOwnerLocks.Take(dir.Path);
        using var third = ReplicaOwnerLocks.Take(dir.Path);

        Assert.True(second.TryInherit("deadbeef"));
        Assert.False(third.TryInherit("deadbeef"));
        Assert.False(third.TryInherit("../deadbeef"));
    }

    [Fact]
    public void Prune_DeadOwnersNoRecordNames_TheirFilesDeletedOthersKept()
    {
        using var dir = new TempDirectory();
        var owners = Path.Combine(dir.Path, "owners");
        Directory.CreateDirectory(owners);
        File.WriteAllText(Path.Combine(owners, "0dead.lock"), string.Empty);
        File.WriteAllText(Path.Combine(owners, "1dead.lock"), string.Empty);
        using var alive = ReplicaOwnerLocks.Take(dir.Path);
        using var starting = ReplicaOwnerLocks.Take(dir.Path);

        starting.Prune(new HashSet<string> { "1dead" });

        Assert.Equal(
            new[] { "1dead", alive.Own, starting.Own }.Order(StringComparer.Ordinal),
            Directory.EnumerateFiles(owners).Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal));
    }
}
