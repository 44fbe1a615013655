using System.Text;

namespace Yardmaster.Server.ModelServer;

/// <summary>
/// Renders chat messages into a prompt. The GGUF's <c>tokenizer.chat_template</c> (Jinja) is recognised
/// by its markers, as llama.cpp does, for the common families (ChatML, Llama 2, Llama 3, Gemma, Phi-3,
/// Zephyr); a model without a template, or with one not recognised, gets the plain template:
/// <code>
/// System: {system}\n
/// User: {user}\n
/// Assistant: {assistant}\n
/// ...
/// Assistant:
/// </code>
/// whose turns are ended by the stop string <c>"\nUser:"</c>.
/// </summary>
internal sealed class ChatTemplate
{
    private readonly Func<IReadOnlyList<ChatMessage>, string> _render;

    private ChatTemplate(string name, Func<IReadOnlyList<ChatMessage>, string> render, params string[] stops)
    {
        Name = name;
        _render = render;
        Stops = stops;
    }

    /// <summary>The family name: chatml, llama2, llama3, gemma, phi3, zephyr or plain.</summary>
    public string Name { get; }

    /// <summary>Stop strings that end the assistant's turn in this format.</summary>
    public IReadOnlyList<string> Stops { get; }

    /// <summary>Whether special-token text in the rendered prompt is parsed as special tokens.</summary>
    public bool ParseSpecial => Name != "plain";

    public static ChatTemplate Detect(string? jinja) => jinja switch
    {
        null or "" => Plain(),
        _ when jinja.Contains("<|im_start|>", StringComparison.Ordinal) => new("chatml", ChatMl, "<|im_end|>"),
        _ when jinja.Contains("<|start_header_id|>", StringComparison.Ordinal) => new("llama3", Llama3, "<|eot_id|>"),
        _ when jinja.Contains("<start_of_turn>", StringComparison.Ordinal) => new("gemma", Gemma, "<end_of_turn>"),
        _ when jinja.Contains("<|assistant|>", StringComparison.Ordinal) && jinja.Contains("<|end|>", StringComparison.Ordinal) => new("phi3", Phi3, "<|end|>"),
        _ when jinja.Contains("<|assistant|>", StringComparison.Ordinal) => new("zephyr", Zephyr, "</s>"),
        _ when jinja.Contains("[INST]", StringComparison.Ordinal) => new("llama2", Llama2),
        _ => Plain(),
    };

    public string Render(IReadOnlyList<ChatMessage> messages) => _render(messages);

    private static ChatTemplate Plain() => new("plain", PlainRender, "\nUser:");

    private static string Role(string role) => role == "developer" ? "system" : role;

    private static string PlainRender(IReadOnlyList<ChatMessage> messages)
    {
        var sb = new StringBuilder();
        foreach (var m in messages)
        {
            var role = Role(m.Role);
            sb.Append(char.ToUpperInvariant(role[0])).Append(role.AsSpan(1)).Append(": ").Append(m.Content).Append('\n');
        }

        return sb.Append("Assistant:").ToString();
    }

    private static string ChatMl(IReadOnlyList<ChatMessage> messages) =>
        Join(messages, m => $"<|im_start|>{Role(m.Role)}\n{m.Content}<|im_end|>\n") + "<|im_start|>assistant\n";

    private static string Llama3(IReadOnlyList<ChatMessage> messages) =>
        "<|begin_of_text|>" + Join(messages, m => $"<|start_header_id|>{Role(m.Role)}<|end_header_id|>\n\n{m.Content.Trim()}<|eot_id|>")
        + "<|start_header_id|>assistant<|end_header_id|>\n\n";

    private static string Gemma(IReadOnlyList<ChatMessage> messages) =>
        Join(messages, m => $"<start_of_turn>{(m.Role == "assistant" ? "model" : "user")}\n{m.Content.Trim()}<end_of_turn>\n") + "<start_of_turn>model\n";

    private static string Phi3(IReadOnlyList<ChatMessage> messages) =>
        Join(messages, m => $"<|{Role(m.Role)}|>\n{m.Content}<|end|>\n") + "<|assistant|>\n";

    private static string Zephyr(IReadOnlyList<ChatMessage> messages) =>
        Join(messages, m => $"<|{Role(m.Role)}|>\n{m.Content}</s>\n") + "<|assistant|>\n";

    private static string Llama2(IReadOnlyList<ChatMessage> messages)
    {
        var sb = new StringBuilder();
        var system = string.Join("\n", messages.Where(m => Role(m.Role) == "system").Select(m => m.Content));
        var first = true;
        foreach (var m in messages.Where(m => Role(m.Role) != "system"))
        {
            if (m.Role == "assistant")
            {
                sb.Append(' ').Append(m.Content.Trim()).Append(" </s>");
                continue;
            }

            var content = first && system.Length > 0 ? $"<<SYS>>\n{system}\n<</SYS>>\n\n{m.Content}" : m.Content;
            sb.Append("<s>[INST] ").Append(content.Trim()).Append(" [/INST]");
            first = false;
        }

        return sb.ToString();
    }

    private static string Join(IReadOnlyList<ChatMessage> messages, Func<ChatMessage, string> render) =>
        string.Concat(messages.Select(render));
}
