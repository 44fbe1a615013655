using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Yardmaster.Runtime.Configuration;

/// <summary>
/// Builds <see cref="ConfigNode"/> trees from YamlDotNet's parser events. Syntax errors become one
/// located error each (parsing cannot go on past one); aliases resolve to their anchored node.
/// </summary>
internal sealed class ConfigNodeParser
{
    private const int MaxDepth = 64;
    private readonly Parser _parser;
    private readonly ConfigReader _reader;
    private readonly Dictionary<string, ConfigNode> _anchors = new(StringComparer.Ordinal);
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
            throw new YamlException(e.Start, e.End, $"nesting deeper than {MaxDepth} levels");
        }

        switch (e)
        {
            case AnchorAlias alias:
                return _anchors.TryGetValue(alias.Value.Value, out var target)
                    ? target
                    : throw new YamlException(e.Start, e.End, $"alias *{alias.Value} names no anchor defined before it");

            case Scalar scalar:
                return Anchor(scalar, new ConfigNode(ConfigNodeKind.Scalar, Line(e.Start), Column(e.Start)) { Value = scalar.Value, Plain = scalar.Style == ScalarStyle.Plain });

            case SequenceStart sequence:
                var list = Anchor(sequence, new ConfigNode(ConfigNodeKind.Sequence, Line(e.Start), Column(e.Start)));
                for (var item = Next(); item is not SequenceEnd; item = Next())
                {
                    list.Items.Add(Read(item, depth + 1));
                }

                return list;

            case MappingStart mapping:
                var map = Anchor(mapping, new ConfigNode(ConfigNodeKind.Mapping, Line(e.Start), Column(e.Start)));
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

    private ConfigNode Anchor(NodeEvent e, ConfigNode node)
    {
        if (!e.Anchor.IsEmpty)
        {
            _anchors[e.Anchor.Value] = node;
        }

        return node;
    }

    private static int Line(Mark mark) => (int)Math.Max(1, mark.Line);

    private static int Column(Mark mark) => (int)Math.Max(1, mark.Column);
}
