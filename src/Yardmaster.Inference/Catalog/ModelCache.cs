namespace Yardmaster.Inference.Catalog;

/// <summary>
/// The directory that holds pulled and generated models: <c>$YARD_HOME/models</c>, by default
/// <c>~/.cache/yardmaster/models</c>. A download in progress is <c>FILE.partial</c> next to its final
/// name, renamed into place only once verified. Stateless; safe to share.
/// </summary>
public sealed class ModelCache
{
    /// <summary>Environment variable naming the Yardmaster home directory.</summary>
    public const string HomeVariable = "YARD_HOME";

    /// <summary>Suffix of a download in progress.</summary>
    public const string PartialSuffix = ".partial";

    /// <summary>Uses <paramref name="directory"/> (created on first write).</summary>
    public ModelCache(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = Path.GetFullPath(directory);
    }

    /// <summary>Absolute path of the cache directory.</summary>
    public string Directory { get; }

    /// <summary>
    /// The cache of this environment: <c>$YARD_HOME/models</c> when <c>YARD_HOME</c> is set, else
    /// <c>~/.cache/yardmaster/models</c>. <paramref name="environment"/> reads a variable (default: the process's).
    /// </summary>
    public static ModelCache FromEnvironment(Func<string, string?>? environment = null)
    {
        var home = (environment ?? Environment.GetEnvironmentVariable)(HomeVariable);
        return new ModelCache(string.IsNullOrEmpty(home)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "yardmaster", "models")
            : Path.Combine(home, "models"));
    }

    /// <summary>Path of <paramref name="fileName"/> in the cache; throws when it is not a plain file name.</summary>
    public string GetPath(string fileName)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        if (fileName != Path.GetFileName(fileName) || fileName is "." or ".." || fileName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            throw new ArgumentException($"\"{fileName}\" is not a plain file name", nameof(fileName));
        }

        return Path.Combine(Directory, fileName);
    }

    /// <summary>Path of the download in progress of <paramref name="fileName"/>.</summary>
    public string GetPartialPath(string fileName) => GetPath(fileName) + PartialSuffix;

    /// <summary>
    /// Whether <paramref name="entry"/>'s file is in the cache with its catalog size (any size when the
    /// catalog does not know it). Does not hash the file.
    /// </summary>
    public bool Contains(ModelCatalogEntry entry, out string path)
    {
        ArgumentNullException.ThrowIfNull(entry);
        path = GetPath(entry.FileName);
        var file = new FileInfo(path);
        return file.Exists && (entry.SizeBytes is null || file.Length == entry.SizeBytes);
    }
}
