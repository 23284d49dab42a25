using System.Text.Json.Serialization;

namespace NoisyRnn.Experiments;

/// <summary>
/// The paper's KL heat map across training biases (Krishna et al. 2024, Figs. 2-3): quiescence of the networks trained on
/// unbiased and on biased trajectories, each against the active distribution under unbiased and under biased
/// trajectories. A configuration pairs with its twin that differs only in <see cref="ExperimentConfig.Biased"/> (and name
/// and seed);
/// the seeds are those finished in both.
/// </summary>
/// <param name="Task">"spatial" or "head-direction".</param>
/// <param name="Model">"vanilla" or "gru".</param>
/// <param name="UnbiasedPreset">The configuration trained on unbiased trajectories.</param>
/// <param name="BiasedPreset">Its biased twin.</param>
/// <param name="Seeds">Seeds finished in both.</param>
/// <param name="Matrix">Rows: <see cref="CrossBiasRows"/>; columns: <see cref="CrossBiasColumns"/>. A quiescent row's entry in
/// a column is KL(its decoded quiescence || the active distribution of the same network driven by that column's
/// trajectories), the run's <c>kl_quiescent_to_unbiased_active</c> / <c>kl_quiescent_to_biased_active</c>: "noise-trained"
/// is <c>noise-trained/scaled</c> and "noise-free" the noise-free network under the same noise (<c>noise-free/absolute</c>).
/// The untrained rows are the untrained (random) network's KL against its own configuration's noise-trained active
/// density (the other column is empty); the uniform row is KL(uniform || noise-trained active) of each configuration.</param>
public sealed record CrossBiasReport(
    [property: JsonPropertyName("task")] string Task,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("unbiased_preset")] string UnbiasedPreset,
    [property: JsonPropertyName("biased_preset")] string BiasedPreset,
    [property: JsonPropertyName("seeds")] IReadOnlyList<ulong> Seeds,
    [property: JsonPropertyName("kl_matrix")] KlMatrixSpread Matrix)
{
    /// <summary>Row names of <see cref="Matrix"/>, in order.</summary>
    public static IReadOnlyList<string> CrossBiasRows { get; } =
    [
        "noise-trained, unbiased", "noise-free, unbiased", "noise-trained, biased", "noise-free, biased",
        "untrained, unbiased", "untrained, biased", "uniform",
    ];

    /// <summary>Column names of <see cref="Matrix"/>, in order.</summary>
    public static IReadOnlyList<string> CrossBiasColumns { get; } = ["unbiased active", "biased active"];

    /// <summary>The heat map of one seed: <paramref name="unbiased"/> and <paramref name="biased"/> are the summaries of the
    /// two twin configurations for that seed.</summary>
    internal static IReadOnlyList<IReadOnlyList<double?>> Values(ExperimentSummary unbiased, ExperimentSummary biased)
    {
        static QuiescenceRunSummary? Trained(ExperimentSummary s) => s.Runs.FirstOrDefault(r => r.Name == "noise-trained/scaled");
        static QuiescenceRunSummary? Free(ExperimentSummary s) =>
            s.Runs.FirstOrDefault(r => r.Network == "noise-free" && r.QuiescenceMode.StartsWith("absolute", StringComparison.Ordinal));
        static double?[] Both(QuiescenceRunSummary? r) => [r?.KlToUnbiasedActive, r?.KlToBiasedActive];
        static double? Random(ExperimentSummary s) => s.KlRandomNetworkToActive is { } r && r.TryGetValue("noise-trained", out var v) ? v : null;
        static double? Uniform(ExperimentSummary s) => s.Networks.FirstOrDefault(n => n.Name == "noise-trained")?.KlUniformToActive;
        return
        [
            Both(Trained(unbiased)), Both(Free(unbiased)), Both(Trained(biased)), Both(Free(biased)),
            [Random(unbiased), null], [null, Random(biased)], [Uniform(unbiased), Uniform(biased)],
        ];
    }

    /// <summary>Pairs each unbiased configuration with its biased twin and aggregates the heat map over the common seeds.</summary>
    internal static IReadOnlyList<CrossBiasReport> Pair(IReadOnlyList<IReadOnlyList<ExperimentSummary>> configurations)
    {
        var pairs = new List<CrossBiasReport>();
        foreach (var unbiased in configurations.Where(c => !c[0].Settings.Biased))
        {
            var u = unbiased[0].Settings;
            var twin = configurations.FirstOrDefault(c => c[0].Settings.Biased &&
                ExperimentConfigJson.FirstDifference(c[0].Settings with { Name = u.Name, Biased = false, Seed = u.Seed }, u) is null);
            if (twin is null) continue;
            var seeds = unbiased.Select(s => s.Seed).Intersect(twin.Select(s => s.Seed)).Order().ToList();
            if (seeds.Count == 0) continue;
            var perSeed = seeds.Select(seed => Values(unbiased.First(s => s.Seed == seed), twin.First(s => s.Seed == seed))).ToList();
            var values = CrossBiasRows.Select((_, r) => (IReadOnlyList<MetricSpread>)CrossBiasColumns.Select((_, c) =>
                MetricSpread.Of(perSeed.Select(v => v[r][c]).ToList())).ToList()).ToList();
            pairs.Add(new CrossBiasReport(unbiased[0].Task, unbiased[0].Model, unbiased[0].Preset, twin[0].Preset, seeds,
                new KlMatrixSpread(CrossBiasRows, CrossBiasColumns, values)));
        }
        return pairs;
    }
}
