using System.Globalization;

namespace Yardmaster.Inference.Tests.Catalog;

/// <summary>
/// What the loopback server answers. <see cref="SendBytes"/> below the body length makes it close the
/// connection early (a graceful close after that many body bytes, as a dropped download looks).
/// </summary>
public sealed record LoopbackReply(int Status, byte[] Body, IReadOnlyDictionary<string, string> Headers, int? SendBytes = null)
{
    public static LoopbackReply NotFound() => new(404, "not found"u8.ToArray(), new Dictionary<string, string>());

    /// <summary>The whole file with 200, or with 206 from the requested offset when <paramref name="honorRange"/>.</summary>
    public static LoopbackReply File(byte[] content, LoopbackRequest request, bool honorRange = true, int? sendBytes = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(request);
        if (!honorRange || request.Range is null)
        {
            return new(200, content, new Dictionary<string, string>(), sendBytes);
        }

        var from = long.Parse(request.Range["bytes=".Length..].TrimEnd('-'), CultureInfo.InvariantCulture);
        if (from >= content.Length)
        {
            return new(416, [], new Dictionary<string, string> { ["Content-Range"] = $"bytes */{content.Length}" });
        }

        var headers = new Dictionary<string, string> { ["Content-Range"] = $"bytes {from}-{content.Length - 1}/{content.Length}" };
        return new(206, content[(int)from..], headers, sendBytes);
    }
}
