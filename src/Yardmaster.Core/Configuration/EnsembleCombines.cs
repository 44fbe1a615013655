namespace Yardmaster.Core.Configuration;

/// <summary>The names of <see cref="EnsembleCombine"/> as written in <c>yard.yaml</c> and the API.</summary>
public static class EnsembleCombines
{
    /// <summary>Every value with its name, in declaration order.</summary>
    public static IReadOnlyList<(string Text, EnsembleCombine Value)> All { get; } =
        [("first", EnsembleCombine.First), ("vote", EnsembleCombine.Vote), ("all", EnsembleCombine.All), ("judge", EnsembleCombine.Judge)];

    /// <summary>The lower-case name.</summary>
    public static string Name(this EnsembleCombine combine) => All.First(c => c.Value == combine).Text;
}
