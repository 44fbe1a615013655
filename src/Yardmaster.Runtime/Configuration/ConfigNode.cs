namespace Yardmaster.Runtime.Configuration;

/// <summary>
/// A node of a YAML document with its position: a scalar, a sequence or a mapping. Unlike YamlDotNet's
/// representation model it keeps duplicate keys (so they can be reported with the rest, not thrown).
/// </summary>
internal sealed class ConfigNode
{
    public ConfigNode(ConfigNodeKind kind, int line, int column)
    {
        Kind = kind;
        Line = line;
        Column = column;
    }

    public ConfigNodeKind Kind { get; }

    /// <summary>1-based.</summary>
    public int Line { get; }

    /// <summary>1-based.</summary>
    public int Column { get; }

    /// <summary>A scalar's text.</summary>
    public string Value { get; init; } = string.Empty;

    /// <summary>True for an unquoted scalar (only those can mean null: empty, <c>~</c>, <c>null</c>).</summary>
    public bool Plain { get; init; }

    /// <summary>A sequence's items.</summary>
    public List<ConfigNode> Items { get; } = [];

    /// <summary>A mapping's entries in document order, duplicates included.</summary>
    public List<KeyValuePair<ConfigNode, ConfigNode>> Entries { get; } = [];

    /// <summary>True for the YAML null: a plain empty, <c>~</c> or <c>null</c> scalar.</summary>
    public bool IsNull => Kind == ConfigNodeKind.Scalar && Plain && Value is "" or "~" or "null" or "Null" or "NULL";

    /// <summary>How the node reads in a message: "a mapping", "a sequence", "'text'".</summary>
    public string Describe() => Kind switch
    {
        ConfigNodeKind.Mapping => "a mapping",
        ConfigNodeKind.Sequence => "a sequence",
        _ => $"'{Value}'",
    };
}
