namespace Yardmaster.Server.Backends;

/// <summary>
/// Finds <c>"prompt_tokens":N</c> in a body read in chunks, also where the key or the number straddles two
/// chunks (it keeps the last bytes of the previous chunk). One per response; not thread-safe.
/// </summary>
internal sealed class UsageTail
{
    private const int Keep = 48;
    private readonly byte[] _window = new byte[Keep * 2];
    private int _kept;

    /// <summary>The prompt tokens when this chunk (with the end of the previous one) names them; else null.</summary>
    public int? Find(ReadOnlySpan<byte> chunk)
    {
        var head = chunk[..Math.Min(Keep, chunk.Length)];
        head.CopyTo(_window.AsSpan(_kept));
        var window = _window.AsSpan(0, _kept + head.Length);
        int? found = UsageScanner.TryFindPrompt(chunk, out var inside) ? inside
            : UsageScanner.TryFindPrompt(window, out var across) ? across : null;
        if (chunk.Length >= Keep)
        {
            chunk[^Keep..].CopyTo(_window);
            _kept = Keep;
        }
        else
        {
            var from = Math.Max(0, window.Length - Keep);
            window[from..].CopyTo(_window); // overlapping: CopyTo moves as memmove does
            _kept = window.Length - from;
        }

        return found;
    }
}
