using System.Globalization;
using System.Text;

namespace Yardmaster.Core.Pipelines.Conditions;

/// <summary>
/// Recursive descent over the characters of a <c>when:</c> expression (no separate lexer: a step id or an output key
/// after a '.' may hold '-' and start with a digit, which a lexer would read as a number).
/// </summary>
internal sealed class ConditionParser(string text)
{
    private int _at;

    public ConditionNode Parse()
    {
        var node = Or();
        Space();
        if (_at < text.Length)
        {
            throw Error($"unexpected '{Rest()}'; expected and, or or the end");
        }

        return node;
    }

    private ConditionNode Or()
    {
        var left = And();
        while (Word("or") || Symbol("||"))
        {
            left = new ConditionNode.Logical(false, left, And());
        }

        return left;
    }

    private ConditionNode And()
    {
        var left = Not();
        while (Word("and") || Symbol("&&"))
        {
            left = new ConditionNode.Logical(true, left, Not());
        }

        return left;
    }

    private ConditionNode Not()
    {
        Space();
        if (Word("not") || (Peek('!') && !PeekAt(1, '=') && Symbol("!")))
        {
            return new ConditionNode.Not(Not());
        }

        var left = Primary();
        Space();
        foreach (var op in (ReadOnlySpan<string>)["==", "!=", "<=", ">=", "<", ">"])
        {
            if (Symbol(op))
            {
                var right = Primary();
                Space();
                if (Peek("==") || Peek("!=") || Peek('<') || Peek('>'))
                {
                    throw Error("comparisons do not chain; use and, e.g. a < b and b < c");
                }

                return new ConditionNode.Compare(op, left, right);
            }
        }

        return left;
    }

    private ConditionNode Primary()
    {
        Space();
        if (_at >= text.Length)
        {
            throw Error("expected a value (a number, a string, true, false, null, steps.ID.outputs.KEY or a parenthesis) at the end");
        }

        var c = text[_at];
        if (c == '(')
        {
            _at++;
            var inner = Or();
            Space();
            if (!Symbol(")"))
            {
                throw Error("expected ')'");
            }

            return inner;
        }

        if (c is '"' or '\'')
        {
            return new ConditionNode.Literal(String());
        }

        if (char.IsAsciiDigit(c) || (c is '-' or '.' && _at + 1 < text.Length && (char.IsAsciiDigit(text[_at + 1]) || text[_at + 1] == '.')))
        {
            return new ConditionNode.Literal(Number());
        }

        var start = _at;
        var word = Name();
        switch (word)
        {
            case "true": return new ConditionNode.Literal(true);
            case "false": return new ConditionNode.Literal(false);
            case "null": return new ConditionNode.Literal(null);
            case "steps": return Reference();
            case "":
                throw Error($"expected a value (a number, a string, true, false, null, steps.ID.outputs.KEY or a parenthesis), found '{Rest()}'");
            default:
                _at = start;
                throw Error($"unknown name '{word}'; values are numbers, 'strings', true, false, null and steps.ID.outputs.KEY or steps.ID.state");
        }
    }

    private ConditionNode.StepReference Reference()
    {
        Expect('.', "after 'steps' (steps.ID.outputs.KEY or steps.ID.state)");
        var id = Name();
        if (id.Length == 0)
        {
            throw Error("expected a step id after 'steps.'");
        }

        Expect('.', $"after 'steps.{id}' (then outputs or state)");
        var fieldAt = _at;
        var field = Name();
        if (field == "state")
        {
            return new ConditionNode.StepReference(id, true, []);
        }

        if (field != "outputs")
        {
            _at = fieldAt;
            throw Error($"expected outputs or state after 'steps.{id}.', found '{field}'");
        }

        var path = new List<object>();
        while (_at < text.Length && text[_at] is '.' or '[')
        {
            if (text[_at++] == '.')
            {
                var key = Name();
                if (key.Length == 0)
                {
                    throw Error("expected a key after '.'");
                }

                path.Add(key);
                continue;
            }

            Space();
            if (_at < text.Length && text[_at] is '"' or '\'')
            {
                path.Add(String());
            }
            else
            {
                var digits = _at;
                while (_at < text.Length && char.IsAsciiDigit(text[_at]))
                {
                    _at++;
                }

                if (_at == digits || !int.TryParse(text.AsSpan(digits, _at - digits), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    _at = digits;
                    throw Error("expected an index (0, 1, ...) or a 'key' in brackets");
                }

                path.Add(index);
            }

            Space();
            Expect(']', "to close the bracket");
        }

        return new ConditionNode.StepReference(id, false, path);
    }

    private string String()
    {
        var quote = text[_at];
        var start = _at++;
        var value = new StringBuilder();
        while (_at < text.Length && text[_at] != quote)
        {
            if (text[_at] == '\\' && _at + 1 < text.Length)
            {
                _at++;
            }

            value.Append(text[_at++]);
        }

        if (_at >= text.Length)
        {
            _at = start;
            throw Error($"the string is not closed; end it with {quote}");
        }

        _at++;
        return value.ToString();
    }

    private double Number()
    {
        var start = _at;
        if (text[_at] == '-')
        {
            _at++;
        }

        while (_at < text.Length && (char.IsAsciiDigit(text[_at]) || text[_at] is '.' or 'e' or 'E' || (text[_at] is '+' or '-' && text[_at - 1] is 'e' or 'E')))
        {
            _at++;
        }

        if (!double.TryParse(text.AsSpan(start, _at - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            var bad = text[start.._at];
            _at = start;
            throw Error($"'{bad}' is not a number");
        }

        return value;
    }

    /// <summary>Letters, digits, '_' and '-' (the characters of a step id); empty when none.</summary>
    private string Name()
    {
        var start = _at;
        while (_at < text.Length && (char.IsAsciiLetterOrDigit(text[_at]) || text[_at] is '_' or '-'))
        {
            _at++;
        }

        return text[start.._at];
    }

    private bool Word(string word)
    {
        Space();
        var end = _at + word.Length;
        if (end > text.Length || string.CompareOrdinal(text, _at, word, 0, word.Length) != 0
            || (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] is '_' or '-')))
        {
            return false;
        }

        _at = end;
        return true;
    }

    private bool Symbol(string symbol)
    {
        Space();
        if (!Peek(symbol))
        {
            return false;
        }

        _at += symbol.Length;
        return true;
    }

    private bool Peek(string symbol) => _at + symbol.Length <= text.Length && string.CompareOrdinal(text, _at, symbol, 0, symbol.Length) == 0;

    private bool Peek(char c) => _at < text.Length && text[_at] == c;

    private bool PeekAt(int offset, char c) => _at + offset < text.Length && text[_at + offset] == c;

    private void Expect(char c, string where)
    {
        if (!Peek(c))
        {
            throw Error(_at < text.Length ? $"expected '{c}' {where}, found '{Rest()}'" : $"expected '{c}' {where} at the end");
        }

        _at++;
    }

    private void Space()
    {
        while (_at < text.Length && char.IsWhiteSpace(text[_at]))
        {
            _at++;
        }
    }

    /// <summary>The next few characters, for messages.</summary>
    private string Rest() => text.Length - _at > 12 ? string.Concat(text.AsSpan(_at, 12), "…") : text[_at..];

    private ConditionSyntaxException Error(string message) => new(new ConditionError(_at + 1, message));
}
