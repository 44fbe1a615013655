namespace Yardmaster.Core.Configuration;

/// <summary>
/// A task answered by several models or tasks at once (<c>ensemble: { members: [a, b], combine: vote }</c>). Members
/// are called concurrently through the scheduler at the task's priority and deadline. Equality compares the members
/// in order.
/// </summary>
public sealed record EnsembleSettings
{
    /// <summary>Models or tasks, by name; at least one, no repeats, not the task itself.</summary>
    public IReadOnlyList<string> Members { get; init; } = [];

    /// <summary>How the answers are combined. Default <see cref="EnsembleCombine.First"/>.</summary>
    public EnsembleCombine Combine { get; init; } = EnsembleCombine.First;

    /// <summary>The model (or task) asked to pick or merge for <see cref="EnsembleCombine.Judge"/>; null otherwise.</summary>
    public string? Judge { get; init; }

    /// <summary>Answers needed to answer when the deadline comes before every member answered; 1 to the number of members. Null means 1.</summary>
    public int? MinMembers { get; init; }

    /// <summary>The answers needed at the deadline: <see cref="MinMembers"/>, else 1.</summary>
    public int RequiredMembers => MinMembers ?? 1;

    /// <inheritdoc />
    public bool Equals(EnsembleSettings? other) =>
        other is not null && Members.SequenceEqual(other.Members, StringComparer.Ordinal) && Combine == other.Combine
        && string.Equals(Judge, other.Judge, StringComparison.Ordinal) && MinMembers == other.MinMembers;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Members.Count, Combine, Judge, MinMembers);
}
