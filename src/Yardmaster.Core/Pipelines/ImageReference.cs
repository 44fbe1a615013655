using System.Text.RegularExpressions;

namespace Yardmaster.Core.Pipelines;

/// <summary>
/// The grammar of a container image reference as Docker reads it: <c>[host[:port]/]path[:tag][@digest]</c>,
/// the path in lower case. Checked before the name reaches the engine's URL, where <c>?</c>, <c>#</c> or
/// <c>/..</c> would change which resource is asked for. Pure.
/// </summary>
public static partial class ImageReference
{
    /// <summary>The longest reference accepted (Docker's own limit for the name is 255).</summary>
    public const int MaxLength = 512;

    /// <summary>True when <paramref name="image"/> is a well-formed reference, e.g. <c>yard/busybox:local</c> or <c>registry:5000/a/b@sha256:…</c>.</summary>
    public static bool IsValid(string? image) => image is { Length: > 0 and <= MaxLength } && Pattern().IsMatch(image);

    [GeneratedRegex(@"^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Pattern();
}
