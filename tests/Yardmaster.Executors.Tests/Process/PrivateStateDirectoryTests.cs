using Yardmaster.Executors.Process;

namespace Yardmaster.Executors.Tests.Process;

/// <summary>The process executor's state folder (<c>/dev/shm/yardmaster-USER</c>) is this user's alone, or refused.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PrivateStateDirectoryTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    [Fact]
    public void Prepare_Missing_Created0700()
    {
        using var parent = new TempDirectory();
        var path = parent.File("state");

        Assert.Null(PrivateStateDirectory.Prepare(path));

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
    }

    [Fact]
    public void Prepare_Existing0777OfThisUser_Made0700()
    {
        using var parent = new TempDirectory();
        var path = parent.File("state");
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, (UnixFileMode)0x1FF);

        Assert.Null(PrivateStateDirectory.Prepare(path));

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
    }

    [Fact]
    public void Prepare_OwnedByAnotherUser_RefusedNamingTheOwner()
    {
        using var parent = new TempDirectory();
        var path = parent.File("state");
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, OwnerOnly);
        var chown = System.Diagnostics.Process.Start("chown", ["65534", path]);
        chown.WaitForExit();
        Assert.True(chown.ExitCode == 0, $"chown {path} to nobody failed: this test needs root, as CI runs");

        var error = PrivateStateDirectory.Prepare(path);

        Assert.NotNull(error);
        Assert.StartsWith($"the process executor's state folder {path} belongs to uid 65534, not to this user", error, StringComparison.Ordinal);
        Assert.Contains("remove it", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepare_SymbolicLinkToAnotherFolder_Refused()
    {
        using var parent = new TempDirectory();
        var target = parent.File("elsewhere");
        Directory.CreateDirectory(target);
        File.SetUnixFileMode(target, (UnixFileMode)0x1FF);
        var path = parent.File("state");
        Directory.CreateSymbolicLink(path, target);

        var error = PrivateStateDirectory.Prepare(path);

        Assert.Equal($"the process executor's state folder {path} is not a folder (a symbolic link or a file?); remove it and start again", error);
        Assert.Equal((UnixFileMode)0x1FF, File.GetUnixFileMode(target));
    }
}
