using System.Globalization;
using Yardmaster.Inference.Catalog;

using Yardmaster.Core.Units;

namespace Yardmaster.Cli.Commands;

/// <summary>
/// Finds the default model for commands run without <c>--model</c>: from the cache, else pulled (progress
/// as plain lines on standard error), else, offline, a synthetic model of the same shape.
/// </summary>
internal static class DefaultModel
{
    /// <summary>Returns the model's path. Throws <see cref="ArgumentException"/> for a bad base URL, and the puller's errors for a failed download.</summary>
    public static async Task<string> ResolveAsync(string? baseUrlFlag, CancellationToken cancellationToken)
    {
        var baseUrlText = baseUrlFlag ?? Environment.GetEnvironmentVariable(ModelCatalog.BaseUrlVariable);
        Uri? baseUrl = null;
        if (!string.IsNullOrEmpty(baseUrlText) && !ModelCatalog.TryParseBaseUrl(baseUrlText, out baseUrl))
        {
            throw new ArgumentException($"--base-url / {ModelCatalog.BaseUrlVariable}: '{baseUrlText}' is not an absolute http(s) URL");
        }

        using var http = ModelPuller.CreateHttpClient();
        var resolver = new DefaultModelResolver(ModelCache.FromEnvironment(), http, baseUrl, Console.Error.WriteLine);
        var lastDecile = -1L;
        var progress = new InlineProgress<ModelPullProgress>(p =>
        {
            if (p.TotalBytes is > 0 and var total && p.BytesReceived * 10 / total is var decile && decile > lastDecile)
            {
                lastDecile = decile;
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"pulling {DefaultModelResolver.Entry.Name}: {decile * 10}% ({ByteSizes.Format(p.BytesReceived)} of {ByteSizes.Format(total)})"));
            }
        });
        var resolved = await resolver.ResolveAsync(progress, cancellationToken).ConfigureAwait(false);
        return resolved.Path;
    }
}
