using Yardmaster.Inference.Synthetic;

namespace Yardmaster.Inference.Catalog;

/// <summary>The builtin catalog of models that can be pulled by name.</summary>
public static class ModelCatalog
{
    /// <summary>Environment variable that sets a mirror base URL (see <see cref="ModelCatalogEntry.ResolveUrl"/>).</summary>
    public const string BaseUrlVariable = "YARD_MODEL_BASE_URL";

    /// <summary>
    /// The default model: karpathy's stories260K in F32, as llama.cpp's server tests use it; offline,
    /// a synthetic model of its shape stands in.
    /// </summary>
    public static ModelCatalogEntry Default { get; } = new(
        "stories260K",
        new Uri("https://huggingface.co/ggml-org/test-model-stories260K/resolve/main/stories260K-f32.gguf"),
        "stories260K.gguf",
        "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d",
        1_185_376,
        SyntheticModelShape.Stories260K);

    /// <summary>Every entry.</summary>
    public static IReadOnlyList<ModelCatalogEntry> Entries { get; } = [Default];

    /// <summary>Finds an entry by name (case-insensitive).</summary>
    public static bool TryFind(string name, out ModelCatalogEntry entry)
    {
        entry = Entries.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))!;
        return entry is not null;
    }

    /// <summary>
    /// Parses a mirror base URL: an absolute http or https URL. Returns false for anything else, so a
    /// caller can report the bad value with the option or variable it came from.
    /// </summary>
    public static bool TryParseBaseUrl(string? text, out Uri baseUrl)
    {
        baseUrl = null!;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return false;
        }

        baseUrl = uri;
        return true;
    }
}
