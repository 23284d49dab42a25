using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NoisyRnn.Experiments;

/// <summary>
/// Whatever jobs of a plan have finished, aggregated: every summary.json under a root folder (a single run folder, or
/// <c>ROOT/&lt;preset&gt;/seed-&lt;s&gt;/</c> of <c>noisyrnn reproduce --seeds</c>), grouped by configuration, with each measure's
/// mean and spread over seeds and the paper's predictions checked (<see cref="ExperimentClaims"/>). Unfinished jobs are
/// listed, not counted.
/// </summary>
/// <param name="Root">The root folder (full path).</param>
/// <param name="Presets">One entry per configuration, in the order of <see cref="ExperimentPresets.All"/>, then by name.</param>
/// <param name="Unfinished">Run folders (relative to the root) that hold a config.json but no summary.json yet.</param>
public sealed record ExperimentReport(
    [property: JsonPropertyName("root")] string Root,
    [property: JsonPropertyName("presets")] IReadOnlyList<PresetReport> Presets,
    [property: JsonPropertyName("unfinished")] IReadOnlyList<string> Unfinished)
{
    /// <summary>The KL heat maps across training biases: one per configuration whose biased twin has finished seeds in common
    /// with it (<see cref="CrossBiasReport"/>).</summary>
    [JsonPropertyName("cross_bias")]
    public IReadOnlyList<CrossBiasReport> CrossBias { get; init; } = [];

    /// <summary>The <c>activity.npz</c> files (<see cref="ActivityPath"/>, relative to the root, '/'-separated) that finished
    /// runs should hold but do not: runs written before the file existed, or whose file was removed. The pooled activity
    /// figures (explained variance, occupancy, heading densities) are built from the other files; the measures of these
    /// runs still count, from their summary.json.</summary>
    [JsonPropertyName("missing_activity")]
    public IReadOnlyList<string> MissingActivity { get; init; } = [];

    /// <summary>Library version that wrote the report.</summary>
    [JsonPropertyName("library_version")]
    public string LibraryVersion { get; init; } = BuildInfo.Version;

    /// <summary>Source commit of that library build.</summary>
    [JsonPropertyName("library_commit")]
    public string LibraryCommit { get; init; } = BuildInfo.Commit;

    private static readonly (string Field, Func<QuiescenceRunSummary, double?> Get)[] RunMeasures =
    [
        ("kl_quiescent_to_active", r => r.KlQuiescentToActive),
        ("quiescent_output_variance", r => r.QuiescentOutputVariance),
        ("active_step_distance", r => r.ActiveStepDistance),
        ("quiescent_step_distance", r => r.QuiescentStepDistance),
        ("pc_kl_quiescent_to_active", r => r.HiddenState?.PcKl),
        ("nearest_distance_ratio", r => r.HiddenState?.NearestDistanceRatio),
        ("denoising_alignment", r => r.DenoisingAlignment),
        ("density_exponent", r => r.DensityExponent?.Value),
        ("kl_quiescent_to_biased_active", r => r.KlToBiasedActive),
        ("kl_quiescent_to_unbiased_active", r => r.KlToUnbiasedActive),
        ("replay_speed_ratio", r => r.Replay?.SpeedRatio),
        ("replay_speed_ratio_lag10", r => r.Replay?.SpeedRatioLag10),
        ("replay_diffusion_exponent", r => r.Replay?.DiffusionExponent),
        ("replay_wasserstein2", r => r.Replay?.Wasserstein2),
        ("replay_wasserstein2_floor", r => r.Replay?.Wasserstein2Floor),
    ];

    private static readonly (string Field, Func<NetworkSummary, double?> Get)[] NetworkMeasures =
    [
        ("decoding_error", n => n.DecodingError),
        ("test_loss", n => n.TestLoss),
        ("kl_uniform_to_active", n => n.KlUniformToActive),
        ("denoising_gain_off_manifold", n => n.DenoisingGain?.OffManifold),
        ("denoising_gain_on_manifold", n => n.DenoisingGain?.OnManifold),
        ("denoising_gain_leak", n => n.DenoisingGain?.Leak),
    ];

    /// <summary>The measures of each run that the report aggregates, by their summary.json names.</summary>
    public static IReadOnlyList<string> RunMeasureNames { get; } = RunMeasures.Select(m => m.Field).ToList();

    /// <summary>Where a finished run keeps the decoded outputs and hidden states of one quiescence run (NumPy .npz; arrays
    /// <c>active_outputs</c> [batch, time, coords], <c>active_targets</c>, <c>active_hidden</c> [batch, time, hidden],
    /// <c>quiescent_outputs</c> [chains, steps, coords], <c>quiescent_hidden</c> [chains, kept, hidden] (every
    /// <c>quiescent_hidden_stride</c>-th step; [0, 0, hidden] without a PCA), <c>quiescent_noise_std</c>; docs/python.md).</summary>
    /// <param name="runFolder">The run folder (absolute, or relative to the report's root).</param>
    /// <param name="runName">The quiescence run's name, "NETWORK/MODE" as in summary.json (e.g. "noise-trained/scaled").</param>
    /// <returns><c>runFolder/NETWORK/MODE/activity.npz</c>.</returns>
    /// <exception cref="ArgumentException">An argument is empty.</exception>
    public static string ActivityPath(string runFolder, string runName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runFolder);
        ArgumentException.ThrowIfNullOrWhiteSpace(runName);
        return Path.Combine([runFolder, .. runName.Split('/'), ExperimentRunner.ActivityFileName]);
    }

    /// <summary>Collects every finished run under <paramref name="root"/>.</summary>
    /// <param name="root">A run folder or a plan's root folder.</param>
    /// <returns>The report; empty when nothing has finished.</returns>
    /// <exception cref="ArgumentException"><paramref name="root"/> does not exist.</exception>
    /// <exception cref="InvalidDataException">A summary.json is not readable.</exception>
    public static ExperimentReport Collect(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        if (!Directory.Exists(root)) throw new ArgumentException($"'{root}' does not exist; expected a run folder or the --out folder of a plan.", nameof(root));
        string full = Path.GetFullPath(root);
        var finished = new List<(string Folder, ExperimentSummary Summary)>();
        var unfinished = new List<string>();
        foreach (string config in Directory.EnumerateFiles(full, Experiment.ConfigFileName, SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string folder = Path.GetDirectoryName(config)!;
            string summary = Path.Combine(folder, Experiment.SummaryFileName);
            string relative = Path.GetRelativePath(full, folder);
            if (File.Exists(summary)) finished.Add((relative, ExperimentSummary.Load(summary)));
            else unfinished.Add(relative);
        }
        var order = ExperimentPresets.All.Select(p => p.Name).ToList();
        var groups = finished.GroupBy(f => f.Summary.Preset)
            .OrderBy(g => order.IndexOf(g.Key) is var i && i >= 0 ? i : int.MaxValue).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.OrderBy(f => f.Summary.Seed).ToList())
            .ToList();
        var missing = finished
            .SelectMany(f => f.Summary.Runs.Select(r => ActivityPath(Path.Combine(full, f.Folder), r.Name)))
            .Where(path => !File.Exists(path))
            .Select(path => Path.GetRelativePath(full, path).Replace('\\', '/'))
            .ToList();
        return new ExperimentReport(full, groups.Select(Aggregate).ToList(), unfinished)
        {
            MissingActivity = missing,
            CrossBias = CrossBiasReport.Pair(groups.Select(g => (IReadOnlyList<ExperimentSummary>)g.Select(f => f.Summary).ToList()).ToList()),
        };
    }

    private static PresetReport Aggregate(IReadOnlyList<(string Folder, ExperimentSummary Summary)> jobs)
    {
        var s = jobs.Select(j => j.Summary).ToList();
        var first = s[0];
        var runNames = s.SelectMany(x => x.Runs.Select(r => r.Name)).Distinct().ToList();
        var runs = runNames.ToDictionary(name => name, name => (IReadOnlyDictionary<string, MetricSpread>)RunMeasures.ToDictionary(m => m.Field,
            m => MetricSpread.Of(s.Select(x => x.Runs.FirstOrDefault(r => r.Name == name) is { } r ? m.Get(r) : null).ToList())));
        var networkNames = s.SelectMany(x => x.Networks.Select(n => n.Name)).Distinct().ToList();
        var networks = networkNames.ToDictionary(name => name, name => (IReadOnlyDictionary<string, MetricSpread>)NetworkMeasures.ToDictionary(m => m.Field,
            m => MetricSpread.Of(s.Select(x => x.Networks.FirstOrDefault(n => n.Name == name) is { } n ? m.Get(n) : null).ToList())));
        KlMatrixSpread? matrix = null;
        if (s.FirstOrDefault(x => x.KlMatrix is not null)?.KlMatrix is { } shape)
        {
            var values = shape.Rows.Select((row, i) => (IReadOnlyList<MetricSpread>)shape.Columns.Select((column, j) => MetricSpread.Of(s.Select(x =>
                x.KlMatrix is { } m && m.Rows.ToList().IndexOf(row) is var r and >= 0 && m.Columns.ToList().IndexOf(column) is var c and >= 0 ? m.Values[r][c] : null).ToList())).ToList()).ToList();
            matrix = new KlMatrixSpread(shape.Rows, shape.Columns, values);
        }
        return new PresetReport(first.Preset, first.Task, first.Model, first.Settings.Biased, s.Select(x => x.Seed).ToList(), jobs.Select(j => j.Folder).ToList(),
            first.Networks.FirstOrDefault()?.DecodingUnit ?? "m", MetricSpread.Of(s.Select(x => (double?)x.WallSeconds).ToList()), networks, runs, matrix,
            ExperimentClaims.Evaluate(s))
        {
            TotalWallSeconds = MetricSpread.Of(s.Select(x => (double?)(x.TotalWallSeconds ?? x.WallSeconds)).ToList()),
            FinishingProcessOnlySeeds = s.Where(x => x.TotalWallSeconds is null).Select(x => x.Seed).ToList(),
            PartlyTimedSeeds = s.Where(x => x.TotalWallSeconds is not null && x.Networks.Any(n => n.TrainSecondsFromStep > 0)).Select(x => x.Seed).ToList(),
        };
    }

    /// <summary>What the report's "wall time per seed" is: cumulative over the processes that ran each seed, with the seeds
    /// whose value is the finishing process's only or leaves out untimed training named.</summary>
    private static string WallTimeBasis(PresetReport p)
    {
        var parts = new List<string> { p.FinishingProcessOnlySeeds.Count == p.Seeds.Count ? "of the finishing process only: summaries written before cumulative times"
            : "cumulative over the processes that ran each seed" };
        if (p.FinishingProcessOnlySeeds.Count > 0 && p.FinishingProcessOnlySeeds.Count < p.Seeds.Count)
            parts.Add($"seed(s) {string.Join(", ", p.FinishingProcessOnlySeeds)}: the finishing process only (summaries written before cumulative times)");
        if (p.PartlyTimedSeeds.Count > 0)
            parts.Add($"seed(s) {string.Join(", ", p.PartlyTimedSeeds)}: a lower bound (resumed from checkpoints without a time record)");
        return string.Join("; ", parts);
    }

    /// <summary>The report as indented JSON (the report's summary.json).</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, ExperimentJson.Options);

    /// <summary>The key under which <see cref="ToMarkdown"/> looks up the figures of a cross-bias heat map.</summary>
    /// <param name="pair">The heat map.</param>
    /// <returns>"UNBIASED x BIASED".</returns>
    public static string CrossBiasFigureKey(CrossBiasReport pair)
    {
        ArgumentNullException.ThrowIfNull(pair);
        return $"{pair.UnbiasedPreset} x {pair.BiasedPreset}";
    }

    private static void AppendMatrix(StringBuilder md, KlMatrixSpread k)
    {
        md.AppendLine();
        md.AppendLine("| | " + string.Join(" | ", k.Columns) + " |");
        md.AppendLine("| --- |" + string.Concat(k.Columns.Select(_ => " --- |")));
        for (int r = 0; r < k.Rows.Count; r++)
            md.AppendLine($"| {k.Rows[r]} | " + string.Join(" | ", k.Values[r].Select(v => v.Format())) + " |");
    }

    /// <summary>Text for a Markdown table cell: its pipes (as in "KL(q || p)") escaped.</summary>
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    /// <summary>The report as Markdown: per configuration its networks, its quiescence runs (mean ± sample std over seeds)
    /// and the table of the paper's predictions, one row each with its verdict.</summary>
    /// <param name="figures">Figure files per preset, and per cross-bias pair under <see cref="CrossBiasFigureKey"/> (paths
    /// relative to the report), shown under its tables; may be null.</param>
    /// <returns>The Markdown text.</returns>
    public string ToMarkdown(IReadOnlyDictionary<string, IReadOnlyList<string>>? figures = null)
    {
        var md = new StringBuilder();
        string I(FormattableString f) => f.ToString(CultureInfo.InvariantCulture);
        md.AppendLine("# NoisyRnn report");
        md.AppendLine();
        string unfinished = Unfinished.Count > 0 ? $"; {Unfinished.Count} unfinished (not counted): {string.Join(", ", Unfinished.Select(u => $"`{u}`"))}" : "";
        md.AppendLine(I($"Root: `{Root}`. Library {LibraryVersion} ({LibraryCommit}). {Presets.Sum(p => p.Seeds.Count)} finished run(s) in {Presets.Count} configuration(s){unfinished}."));
        if (MissingActivity.Count > 0)
        {
            md.AppendLine();
            md.AppendLine(I($"{MissingActivity.Count} quiescence run(s) have no activity.npz (runs written before it existed, or removed); their measures count, but the pooled activity figures (explained variance, occupancy, heading densities) leave them out: {string.Join(", ", MissingActivity.Select(m => $"`{m}`"))}."));
        }
        md.AppendLine();
        md.AppendLine("Values are the mean ± sample standard deviation over seeds (n - 1). Each prediction is checked per seed against the stated");
        md.AppendLine("criterion; the verdict counts the seeds it held in. KL values are in nats; decoded distances in the task's unit.");
        md.AppendLine();
        md.AppendLine("## The paper's predictions");
        md.AppendLine();
        md.AppendLine("| configuration | prediction | measure | value | verdict |");
        md.AppendLine("| --- | --- | --- | --- | --- |");
        foreach (var p in Presets)
            foreach (var c in p.Claims)
                md.AppendLine($"| {p.Preset} | {Cell(c.Claim)} | {Cell(c.Measure)} | {c.Value.Format()} | **{c.Verdict}**{(c.Note is { } n ? $" ({Cell(n)})" : "")} |");
        foreach (var x in CrossBias)
        {
            md.AppendLine();
            md.AppendLine($"## Biased and unbiased training: {x.UnbiasedPreset} and {x.BiasedPreset}");
            md.AppendLine();
            md.AppendLine(I($"KL(quiescent row || active column), nats, over seeds {string.Join(", ", x.Seeds)}. Each quiescent row is compared with the active distribution of the same network driven by unbiased or biased trajectories; \"noise-free\" is the noise-free network under the noise-trained network's quiescent noise. The prediction: each network's quiescence is closer to the column of its own training."));
            AppendMatrix(md, x.Matrix);
            if (figures is not null && figures.TryGetValue(CrossBiasFigureKey(x), out var crossFiles))
            {
                md.AppendLine();
                foreach (string f in crossFiles) md.AppendLine($"![{Path.GetFileNameWithoutExtension(f)}]({f.Replace('\\', '/')})");
            }
        }
        foreach (var p in Presets)
        {
            md.AppendLine();
            md.AppendLine($"## {p.Preset}");
            md.AppendLine();
            md.AppendLine(I($"{p.Task}, {p.Model}{(p.Biased ? ", biased trajectories" : "")}; seeds {string.Join(", ", p.Seeds)}; wall time per seed {p.TotalWallSeconds.Format("F0")} s ({WallTimeBasis(p)})."));
            md.AppendLine();
            md.AppendLine($"| network | decoding error ({p.Unit}) | test loss | KL(uniform \\|\\| active) | denoising gain off / on manifold (leak) |");
            md.AppendLine("| --- | --- | --- | --- | --- |");
            foreach (var (name, m) in p.Networks)
                md.AppendLine($"| {name} | {m["decoding_error"].Format()} | {m["test_loss"].Format()} | {m["kl_uniform_to_active"].Format()} | " +
                              $"{m["denoising_gain_off_manifold"].Format()} / {m["denoising_gain_on_manifold"].Format()} ({m["denoising_gain_leak"].Format()}) |");
            md.AppendLine();
            md.AppendLine($"| quiescence run | KL(q \\|\\| p) | variance ({p.Unit}^2) | step active ({p.Unit}) | step quiescent ({p.Unit}) | hidden KL (3 PCs) | nearest-state ratio |");
            md.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
            foreach (var (name, m) in p.Runs)
                md.AppendLine($"| {name} | {m["kl_quiescent_to_active"].Format()} | {m["quiescent_output_variance"].Format()} | {m["active_step_distance"].Format()} | " +
                              $"{m["quiescent_step_distance"].Format()} | {m["pc_kl_quiescent_to_active"].Format()} | {m["nearest_distance_ratio"].Format()} |");
            md.AppendLine();
            md.AppendLine($"| quiescence run | density exponent a (q ∝ p^a) | KL to biased / unbiased active | replay speed ratio (lag 1 / 10) | MSD exponent | W2 to waking ({p.Unit}; floor) |");
            md.AppendLine("| --- | --- | --- | --- | --- | --- |");
            foreach (var (name, m) in p.Runs)
                md.AppendLine($"| {name} | {m["density_exponent"].Format()} | {m["kl_quiescent_to_biased_active"].Format()} / {m["kl_quiescent_to_unbiased_active"].Format()} | " +
                              $"{m["replay_speed_ratio"].Format()} / {m["replay_speed_ratio_lag10"].Format()} | {m["replay_diffusion_exponent"].Format()} | " +
                              $"{m["replay_wasserstein2"].Format()} ({m["replay_wasserstein2_floor"].Format()}) |");
            if (p.KlMatrix is { } k)
            {
                md.AppendLine();
                md.AppendLine("KL(row || column), nats:");
                AppendMatrix(md, k);
            }
            if (figures is not null && figures.TryGetValue(p.Preset, out var files))
            {
                md.AppendLine();
                foreach (string f in files) md.AppendLine($"![{Path.GetFileNameWithoutExtension(f)}]({f.Replace('\\', '/')})");
            }
            var presetMissing = MissingActivity.Where(m => p.Folders.Any(f => m.StartsWith(f == "." ? "" : f.Replace('\\', '/') + "/", StringComparison.Ordinal))).ToList();
            if (presetMissing.Count > 0)
            {
                md.AppendLine();
                md.AppendLine($"No activity.npz (left out of the pooled activity figures): {string.Join(", ", presetMissing.Select(m => $"`{m}`"))}.");
            }
            md.AppendLine();
            md.AppendLine("Run folders: " + string.Join(", ", p.Folders.Select(f => $"`{f}`")) + ".");
        }
        return md.ToString();
    }
}
