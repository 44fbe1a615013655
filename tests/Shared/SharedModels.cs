// Shared by every test project (linked into each).
namespace Yardmaster.Tests;

/// <summary>Locates the shared test models in <c>../shared/models</c> next to the repository.</summary>
public static class SharedModels
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary><c>$YARD_SHARED/models</c> when set (the test script sets it), else <c>../shared/models</c> next to the repository.</summary>
    public static string Directory { get; } = Path.GetFullPath(Path.Combine(
        Environment.GetEnvironmentVariable("YARD_SHARED") is { Length: > 0 } shared ? shared : Path.Combine(RepositoryRoot, "..", "shared"),
        "models"));

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
