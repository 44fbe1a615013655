using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Yardmaster.Runtime.Configuration;

/// <summary>
/// Builds <see cref="ConfigNode"/> trees from YamlDotNet's parser events. Syntax errors become one
/// located error each (parsing cannot go on past one); aliases resolve to their anchored node.
/// </summary>
/// <remarks>
/// An alias shares its anchor's node, but whoever reads the tree visits that node once per alias, so nested
/// anchors (a "billion laughs" file) multiply the work and the errors: a 70 KB file once read as a million
/// nodes. The parser counts what aliases repeat, in nodes and in scalar characters, and refuses the document
/// at the alias that goes past <see cref="MaxAliasNodes"/> or <see cref="MaxAliasCharacters"/>. Aliases are
/// kept rather than refused outright because sharing an <c>env</c> or <c>resources</c> block between steps
/// is their ordinary use, and costs far less than these limits.
/// </remarks>
internal sealed class ConfigNodeParser
{
    /// <summary>The most nodes that aliases may repeat in one document (each alias counts its anchor's whole subtree).</summary>
    public const int MaxAliasNodes = 10_000;

    /// <summary>The most scalar characters that aliases may repeat in one document.</summary>
    public const int MaxAliasCharacters = 1_000_000;

    private const int MaxDepth = 64;
    private readonly Parser _parser;
    private readonly ConfigReader _reader;
    private readonly Dictionary<string, (ConfigNode Node, long Nodes, long Characters)> _anchors = new(StringComparer.Ordinal);
    private readonly List<string> _open = [];
    private long _nodes;
    private long _characters;
    private long _aliasNodes;
    private long _aliasCharacters;
    private Mark _last = Mark.Empty;

    private ConfigNodeParser(string text, ConfigReader reader)
    {
        _parser = new Parser(new StringReader(text));
        _reader = reader;
    }

    /// <summary>The root of the single document in <paramref name="text"/>; null when it is empty or invalid (then an error is reported).</summary>
    public static ConfigNode? Parse(string text, ConfigReader reader) => new ConfigNodeParser(text, reader).Parse();

    private ConfigNode? Parse()
    {
        try
        {
            ConfigNode? root = null;
            var documents = 0;
            for (var e = Next(); e is not StreamEnd; e = Next())
            {
                if (e is not DocumentStart start)
                {
                    continue;
                }

                if (++documents > 1)
                {
                    _reader.Error(Line(start.Start), Column(start.Start), string.Empty, "a config file holds one YAML document; a second one starts here");
                    return null;
                }

                var first = Next();
                root = first is DocumentEnd ? null : Read(first, 0);
            }

            return root;
        }
        catch (ConfigDocumentRefusedException e)
        {
            _reader.Error(e.Line, e.Column, string.Empty, e.Message);
        }
        catch (YamlException e)
        {
            _reader.Error(Line(e.Start), Column(e.Start), string.Empty, "invalid YAML: " + e.Message);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this without a position on some unterminated flow collections.
            _reader.Error(Line(_last), Column(_last), string.Empty, "invalid YAML after this point (an unclosed '[' or '{'?)");
        }

        return null;
    }

    private ParsingEvent Next()
    {
        if (!_parser.MoveNext() || _parser.Current is not { } current)
        {
            throw new YamlException(_last, _last, "unexpected end of the document");
        }

        _last = current.End;
        return current;
    }

    private ConfigNode Read(ParsingEvent e, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ConfigDocumentRefusedException(e.Start.Line, e.Start.Column, $"nesting deeper than {MaxDepth} levels");
        }

        if (e is AnchorAlias alias)
        {
            return Repeat(alias);
        }

        // The anchor is usable only once its node is complete: an alias inside it would make the tree a cycle.
        var anchor = e is NodeEvent { Anchor.IsEmpty: false } named ? named.Anchor.Value : null;
        var (nodes, characters) = (_nodes, _characters);
        if (anchor is not null)
        {
            _open.Add(anchor);
        }

        var node = ReadNode(e, depth);
        if (anchor is not null)
        {
            _open.RemoveAt(_open.Count - 1);
            _anchors[anchor] = (node, _nodes - nodes, _characters - characters);
        }

        return node;
    }

    private ConfigNode ReadNode(ParsingEvent e, int depth)
    {
        _nodes++;
        switch (e)
        {
            case Scalar scalar:
                _characters += scalar.Value.Length;
                return new ConfigNode(ConfigNodeKind.Scalar, Line(e.Start), Column(e.Start)) { Value = scalar.Value, Plain = scalar.Style == ScalarStyle.Plain };

            case SequenceStart:
                var list = new ConfigNode(ConfigNodeKind.Sequence, Line(e.Start), Column(e.Start));
                for (var item = Next(); item is not SequenceEnd; item = Next())
                {
                    list.Items.Add(Read(item, depth + 1));
                }

                return list;

            case MappingStart:
                var map = new ConfigNode(ConfigNodeKind.Mapping, Line(e.Start), Column(e.Start));
                for (var key = Next(); key is not MappingEnd; key = Next())
                {
                    var keyNode = Read(key, depth + 1);
                    map.Entries.Add(new(keyNode, Read(Next(), depth + 1)));
                }

                return map;

            default:
                throw new YamlException(e.Start, e.End, $"unexpected {e.GetType().Name}");
        }
    }

    /// <summary>The anchored node, counting what it repeats against the document's limits.</summary>
    private ConfigNode Repeat(AnchorAlias alias)
    {
        var name = alias.Value.Value;
        if (_open.Contains(name))
        {
            throw new ConfigDocumentRefusedException(alias.Start.Line, alias.Start.Column, $"alias *{name} is inside the node anchored &{name}; a node cannot contain itself");
        }

        if (!_anchors.TryGetValue(name, out var target))
        {
            throw new ConfigDocumentRefusedException(alias.Start.Line, alias.Start.Column, $"alias *{name} names no anchor defined before it");
        }

        _nodes += target.Nodes;
        _characters += target.Characters;
        _aliasNodes += target.Nodes;
        _aliasCharacters += target.Characters;
        if (_aliasNodes > MaxAliasNodes || _aliasCharacters > MaxAliasCharacters)
        {
            throw new ConfigDocumentRefusedException(alias.Start.Line, alias.Start.Column, string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"the document's aliases repeat more than {MaxAliasNodes:N0} nodes or {MaxAliasCharacters:N0} characters (here *{name} repeats {target.Nodes:N0} nodes); write the repeated parts out, or anchor smaller ones"));
        }

        return target.Node;
    }

    private static int Line(Mark mark) => (int)Math.Max(1, mark.Line);

    private static int Column(Mark mark) => (int)Math.Max(1, mark.Column);
}
