namespace Yardmaster.Runtime.Configuration;

/// <summary>The known key a misspelt one most likely meant, by edit distance (case-insensitive).</summary>
internal static class ClosestKey
{
    /// <summary>Keys longer than this get no suggestion: no key is that long, and the distance costs the product of the lengths.</summary>
    public const int MaxLength = 64;

    /// <summary>
    /// The closest of <paramref name="known"/> within a third of the key's length (at least 2 edits); null when none
    /// is that close, or when the key is longer than <see cref="MaxLength"/>. Candidates whose length alone differs
    /// by more than that are skipped without computing the distance.
    /// </summary>
    public static string? Find(string key, IReadOnlyList<string> known)
    {
        if (key.Length > MaxLength)
        {
            return null;
        }

        string? best = null;
        var bestDistance = Math.Max(2, key.Length / 3) + 1;
        var upper = key.ToUpperInvariant();
        foreach (var candidate in known)
        {
            if (candidate.Length > MaxLength || Math.Abs(candidate.Length - key.Length) >= bestDistance)
            {
                continue;
            }

            var distance = Distance(upper, candidate.ToUpperInvariant());
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return best;
    }

    /// <summary>Levenshtein distance, two rows.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
