// Shared by every test project (linked into each).
namespace Yardmaster.Tests;

/// <summary>
/// Locates the small test models kept in the repository under <c>tests/fixtures/models</c> (see its README
/// for their origin and licence). Nothing outside the checkout is read, so a fresh clone runs every test.
/// </summary>
public static class SharedModels
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary><c>tests/fixtures/models</c> in the checkout.</summary>
    public static string Directory { get; } = Path.Combine(RepositoryRoot, "tests", "fixtures", "models");

    public static string Stories260K => Path.Combine(Directory, "stories260K.gguf");

    public static string TinyRandomLlama => Path.Combine(Directory, "llama-2-tiny-random.gguf");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Yardmaster.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Yardmaster.slnx not found above " + AppContext.BaseDirectory);
    }
}
