namespace Yardmaster.Core.Configuration;

/// <summary>How an ensemble turns its members' answers into one.</summary>
public enum EnsembleCombine
{
    /// <summary>The first member to answer successfully.</summary>
    First,

    /// <summary>The answer most members gave (normalised text); a tie goes to the earliest member in order.</summary>
    Vote,

    /// <summary>Every member's answer, one choice per member.</summary>
    All,

    /// <summary>A judge model picks or merges the members' answers.</summary>
    Judge,
}
