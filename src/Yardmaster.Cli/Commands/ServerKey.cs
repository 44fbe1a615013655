namespace Yardmaster.Cli.Commands;

/// <summary>A key the CLI sends as <c>Authorization: Bearer</c>, with where it came from (for error messages).</summary>
/// <param name="Value">The key itself; never printed.</param>
/// <param name="Source">Where it was found: <c>--admin-key</c>, <c>$YARD_ADMIN_KEY</c>, <c>the token file PATH</c>, ...</param>
internal sealed record ServerKey(string Value, string Source)
{
    /// <summary>How to name the key in a message without giving it away: its first 4 characters when it is long enough to keep the rest secret.</summary>
    public string Shown => Value.Length >= 12 ? $"'{Value[..4]}…' from {Source}" : $"from {Source}";

    /// <inheritdoc />
    public override string ToString() => Shown;
}
