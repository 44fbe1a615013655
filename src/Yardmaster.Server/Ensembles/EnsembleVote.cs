namespace Yardmaster.Server.Ensembles;

/// <summary>The majority of answers by normalised text; a tie goes to the group whose first member comes first in member order. Pure.</summary>
internal static class EnsembleVote
{
    /// <summary>The index (into <paramref name="texts"/>, in member order) of the chosen answer, and how many gave it; (-1, 0) when none.</summary>
    public static (int Chosen, int Votes) Choose(IReadOnlyList<string> texts)
    {
        var groups = new Dictionary<string, (int First, int Count)>(StringComparer.Ordinal);
        for (var i = 0; i < texts.Count; i++)
        {
            var key = AnswerText.Normalise(texts[i]);
            groups[key] = groups.TryGetValue(key, out var g) ? (g.First, g.Count + 1) : (i, 1);
        }

        var best = (First: -1, Count: 0);
        foreach (var g in groups.Values)
        {
            if (g.Count > best.Count || (g.Count == best.Count && g.First < best.First))
            {
                best = g;
            }
        }

        return best;
    }
}
