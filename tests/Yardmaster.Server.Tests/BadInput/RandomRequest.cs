using System.Text;

namespace Yardmaster.Server.Tests.BadInput;

/// <summary>One generated request of the random-body property test.</summary>
/// <param name="Method">The route's own method.</param>
/// <param name="Path">The path with its names (and query) filled in.</param>
/// <param name="ContentType">The Content-Type sent, or null for none.</param>
/// <param name="Body">The body, or null for none (GET, DELETE).</param>
/// <param name="How">How the body was made (template and mutations), for the failure message.</param>
public sealed record RandomRequest(string Method, string Path, string? ContentType, byte[]? Body, string How)
{
    /// <summary>The request as a failure message shows it: the body as text (invalid bytes as \xNN), cut at 400 characters.</summary>
    public override string ToString()
    {
        var body = Body is null ? "(no body)" : Shown(Body);
        return $"{Method} {Path} [{ContentType ?? "no content type"}] ({How}): {body}";
    }

    private static string Shown(byte[] body)
    {
        var text = new StringBuilder();
        var rest = body.AsSpan();
        while (rest.Length > 0 && text.Length < 400)
        {
            if (System.Text.Rune.DecodeFromUtf8(rest, out var rune, out var used) == System.Buffers.OperationStatus.Done && !Rune.IsControl(rune))
            {
                text.Append(rune.ToString());
            }
            else
            {
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\x{rest[0]:X2}");
                used = 1;
            }

            rest = rest[used..];
        }

        return rest.Length > 0 ? text.Append(System.Globalization.CultureInfo.InvariantCulture, $"… ({body.Length} bytes)").ToString() : text.ToString();
    }
}
