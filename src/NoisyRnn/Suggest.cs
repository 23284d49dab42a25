namespace NoisyRnn;

/// <summary>"Did you mean ...?" for a mistyped name (option, command, preset, ...): the closest candidate by edit distance
/// (insertions, deletions, substitutions and swaps of neighbours), or the one candidate that starts with the input.</summary>
internal static class Suggest
{
    /// <summary>The candidate closest to <paramref name="input"/> (leading dashes and case ignored), or null when none is
    /// close: at most 1 edit for names up to 5 characters, 2 up to 8, 3 beyond; or the only candidate starting with the input.</summary>
    public static string? Closest(string input, IEnumerable<string> candidates)
    {
        string typed = Normalize(input);
        if (typed.Length == 0) return null;
        var list = candidates.Distinct().ToList();
        int allowed = typed.Length <= 5 ? 1 : typed.Length <= 8 ? 2 : 3;
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in list)
        {
            int d = Distance(typed, Normalize(candidate));
            if (d < bestDistance) (best, bestDistance) = (candidate, d);
        }
        if (best is not null && bestDistance > 0 && bestDistance <= allowed) return best;
        var prefixed = list.Where(c => Normalize(c).StartsWith(typed, StringComparison.Ordinal) && Normalize(c) != typed).ToList();
        return prefixed.Count == 1 ? prefixed[0] : null;
    }

    /// <summary>" (did you mean 'X'?)" for the closest candidate, or "" when none is close; to append to an error.</summary>
    public static string DidYouMean(string input, IEnumerable<string> candidates) =>
        Closest(input, candidates) is { } match ? $" (did you mean '{match}'?)" : "";

    private static string Normalize(string name) => name.TrimStart('-', '/').ToLowerInvariant();

    /// <summary>Optimal string alignment distance (Levenshtein plus swaps of neighbouring characters).</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}
