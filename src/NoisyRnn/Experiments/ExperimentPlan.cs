using System.Globalization;

namespace NoisyRnn.Experiments;

/// <summary>
/// Many experiments as a list of self-contained jobs: every (configuration, seed) pair runs into
/// <c>ROOT/&lt;preset&gt;/seed-&lt;s&gt;/</c>, seed by seed (all configurations of the first seed, then the next seed), so that a
/// partial batch already holds whole seeds. The list depends only on its inputs, so every process of a cluster array
/// computes the same plan and runs its own job.
/// </summary>
public static class ExperimentPlan
{
    /// <summary>The jobs of <paramref name="configs"/> x <paramref name="seeds"/> under <paramref name="root"/>.</summary>
    /// <param name="configs">Configurations, each with a distinct name (the name is the folder).</param>
    /// <param name="seeds">Seeds, distinct, at least one.</param>
    /// <param name="root">Folder that holds one folder per configuration.</param>
    /// <returns>The jobs, Id = position.</returns>
    /// <exception cref="ArgumentException">No configuration or seed, a repeated name or seed, or a name that is not a plain folder name.</exception>
    public static IReadOnlyList<ExperimentJob> Create(IReadOnlyList<ExperimentConfig> configs, IReadOnlyList<ulong> seeds, string root)
    {
        ArgumentNullException.ThrowIfNull(configs);
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        if (configs.Count == 0) throw new ArgumentException("configs is empty; expected at least one configuration.", nameof(configs));
        if (seeds.Count == 0) throw new ArgumentException("seeds is empty; expected at least one seed.", nameof(seeds));
        if (configs.GroupBy(c => c.Name).FirstOrDefault(g => g.Count() > 1) is { } repeated)
            throw new ArgumentException($"configs name '{repeated.Key}' twice; expected distinct names (each is a folder).", nameof(configs));
        if (seeds.GroupBy(s => s).FirstOrDefault(g => g.Count() > 1) is { } seed)
            throw new ArgumentException($"seeds lists {seed.Key} twice; expected distinct seeds.", nameof(seeds));
        foreach (var c in configs)
            if (c.Name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || c.Name is "." or "..")
                throw new ArgumentException($"config name '{c.Name}' is not a plain folder name.", nameof(configs));
        var jobs = new List<ExperimentJob>();
        foreach (ulong s in seeds)
            foreach (var c in configs)
                jobs.Add(new ExperimentJob(jobs.Count, c.Name, s, Path.Combine(root, c.Name, $"seed-{s.ToString(CultureInfo.InvariantCulture)}"), c with { Seed = s }));
        return jobs;
    }

    /// <summary>Parses a seed list: comma-separated seeds and inclusive ranges, for example "0-4", "0,2,7" or "0-2,10".</summary>
    /// <param name="text">The list.</param>
    /// <returns>The seeds in order.</returns>
    /// <exception cref="ArgumentException">Not such a list, a range that runs backwards, a repeated seed or more than 10000 seeds.</exception>
    public static IReadOnlyList<ulong> ParseSeeds(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var seeds = new List<ulong>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            string[] ends = part.Split('-', StringSplitOptions.TrimEntries);
            if (ends.Length is < 1 or > 2 || !ends.All(e => ulong.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
                throw new ArgumentException($"seeds '{text}': '{part}' is not a seed or a range; expected for example 0-4 or 0,2,7.", nameof(text));
            ulong first = ulong.Parse(ends[0], CultureInfo.InvariantCulture), last = ulong.Parse(ends[^1], CultureInfo.InvariantCulture);
            if (last < first) throw new ArgumentException($"seeds '{text}': the range {part} runs backwards; expected first-last with first <= last.", nameof(text));
            if (last - first >= 10000 || seeds.Count + (int)(last - first) >= 10000)
                throw new ArgumentException($"seeds '{text}' lists more than 10000 seeds.", nameof(text));
            for (ulong s = first; ; s++)
            {
                seeds.Add(s);
                if (s == last) break;
            }
        }
        if (seeds.GroupBy(s => s).FirstOrDefault(g => g.Count() > 1) is { } repeated)
            throw new ArgumentException($"seeds '{text}' lists {repeated.Key} twice; expected distinct seeds.", nameof(text));
        return seeds;
    }
}
