// Shared by every test project (linked into each).
namespace Yardmaster.Tests;

/// <summary>A fresh directory under the system temp directory, deleted with everything in it on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    /// <summary>Creates the directory under <paramref name="root"/> (default: the system temp directory).</summary>
    public TempDirectory(string? root = null)
    {
        Path = System.IO.Path.Combine(root ?? System.IO.Path.GetTempPath(), "yard-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    /// <summary>
    /// A RAM-backed directory (<c>/dev/shm</c>) when the system has one, else the temp directory: for tests
    /// that write thousands of short-lived files.
    /// </summary>
    public static string? InMemoryRoot => System.IO.Directory.Exists("/dev/shm") ? "/dev/shm" : null;

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still mapped by a failed test; the OS temp cleaner takes it.
        }
    }
}
