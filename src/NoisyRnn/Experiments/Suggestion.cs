namespace NoisyRnn.Experiments;

/// <summary>"Did you mean" for a mistyped name: the closest candidate by edit distance, when it is close enough.</summary>
internal static class Suggestion
{
    /// <summary>" (did you mean 'x'?)" for the nearest candidate within a third of the name's length (at least 2 edits),
    /// or an empty string.</summary>
    public static string DidYouMean(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string c in candidates)
        {
            int d = Distance(name.ToLowerInvariant(), c.ToLowerInvariant());
            if (d < bestDistance) (best, bestDistance) = (c, d);
        }
        return best is not null && bestDistance <= Math.Max(2, name.Length / 3) ? $" (did you mean '{best}'?)" : "";
    }

    /// <summary>Levenshtein distance.</summary>
    private static int Distance(string a, string b)
    {
        var row = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) row[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
