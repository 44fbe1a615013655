using System.Text;

namespace Yardmaster.Server.Tests.BadInput;

/// <summary>
/// One bad <c>/v1</c> body of the regression corpus: what is sent and what the answer must name.
/// </summary>
/// <param name="Name">What is wrong, as the test's case name.</param>
/// <param name="Chat">Sent to <c>/v1/chat/completions</c> (else <c>/v1/completions</c>).</param>
/// <param name="Body">The body's bytes; an object's first <c>{</c> is where a runner may insert the model.</param>
/// <param name="Param">The <c>error.param</c> the answer must give (null: the body as a whole).</param>
/// <param name="Says">Text the <c>error.message</c> must hold.</param>
public sealed record BadV1Input(string Name, bool Chat, byte[] Body, string? Param, string Says)
{
    public BadV1Input(string name, bool chat, string body, string? param, string says)
        : this(name, chat, Encoding.UTF8.GetBytes(body), param, says)
    {
    }

    /// <summary>The body with <c>"model": <paramref name="model"/></c> as its first field, when it is an object.</summary>
    public byte[] WithModel(string model) => Body is [(byte)'{', ..]
        ? [.. Encoding.UTF8.GetBytes($"{{\"model\": \"{model}\", "), .. Body.AsSpan(1)]
        : Body;

    public override string ToString() => Name;
}
