using System.Globalization;
using NoisyRnn.Analysis;
using NoisyRnn.Experiments;
using NoisyRnn.Interop;
using NoisyRnn.Tasks;
using ScottPlot;

namespace NoisyRnn.Cli.Plotting;

/// <summary>
/// The report's figures built from the runs' activity.npz files (<see cref="ExperimentReport.ActivityPath"/>), pooled over
/// the seeds of one configuration (ScottPlot; PNG and SVG):
/// <list type="bullet">
/// <item><c>PRESET_explained_variance.png</c>: per quiescence run, the cumulative explained variance of a PCA of the
/// network's waking hidden states and of a PCA of its quiescent hidden states (each seed's own PCA: hidden units of
/// different seeds are different networks), mean over seeds with the min-max band, y from 0 to 1 in every panel.</item>
/// <item>spatial: <c>PRESET_occupancy.png</c>: histograms of the decoded positions (occupancy, 1/m^2) over the arena,
/// pooled over seeds: each network's waking positions, then every quiescent run, one colour scale capped at the waking
/// panels' largest bin (each title gives the share of bins above the cap).</item>
/// <item>head direction: <c>PRESET_heading_densities.png</c>: per quiescence run, the histogram of the decoded quiescent
/// heading beside that of its network's waking heading, pooled over seeds, on the shared polar scale of
/// <see cref="HeadDirectionFigures.AddCircularDensities"/>.</item>
/// </list>
/// Runs without an activity.npz are left out (the report lists them); a figure with nothing to show is not written.
/// </summary>
internal static class PooledActivityFigures
{
    private const int Panel = 420;
    private const int ComponentsShown = 20;
    /// <summary>Occupancy bins per side: 5.5 cm in the 2.2 m arena.</summary>
    private const int OccupancyBins = 40;
    private const int OccupancyPanelWidth = 530, OccupancyPanelHeight = 500;

    private static readonly string[] Arrays = ["active_outputs", "active_hidden", "quiescent_outputs", "quiescent_hidden", "quiescent_noise_std"];

    /// <summary>What one seed's activity.npz files give, accumulated over the seeds of a configuration.</summary>
    private sealed class Pooled
    {
        /// <summary>Per network, per seed: cumulative explained variance of the waking hidden states, first components.</summary>
        public Dictionary<string, List<double[]>> ActiveVariance { get; } = [];
        /// <summary>Per run, per seed: the same for the quiescent hidden states (seeds whose PCA failed are absent).</summary>
        public Dictionary<string, List<double[]>> QuiescentVariance { get; } = [];
        /// <summary>Per network, the pooled waking decoded outputs (one array per seed, [batch * time * coords]).</summary>
        public Dictionary<string, List<float[]>> ActiveOutputs { get; } = [];
        /// <summary>Per run, the pooled quiescent decoded outputs, one array per seed.</summary>
        public Dictionary<string, List<float[]>> QuiescentOutputs { get; } = [];
        /// <summary>Per run, its quiescent noise std per seed.</summary>
        public Dictionary<string, List<float>> NoiseStd { get; } = [];
        /// <summary>Per run, why its quiescent PCA is missing in some seed.</summary>
        public Dictionary<string, string> QuiescentNote { get; } = [];
        public int Files { get; set; }
        public int Seeds { get; set; }
        public int QuiescentSteps { get; set; }
        public int Chains { get; set; }
    }

    /// <summary>Writes the pooled activity figures of <paramref name="preset"/> into <paramref name="figureDir"/>.</summary>
    /// <param name="root">The report's root (the preset's folders are relative to it).</param>
    /// <param name="figureDir">Output folder.</param>
    /// <param name="preset">The configuration.</param>
    /// <returns>The PNG paths written (none when no run of the preset has an activity.npz).</returns>
    /// <exception cref="InvalidDataException">An activity.npz is malformed (the message names the file and the array).</exception>
    public static IReadOnlyList<string> Write(string root, string figureDir, PresetReport preset)
    {
        if (Fonts.Default is null || Fonts.Default.Length == 0)
            throw new InvalidOperationException("No font found for plot text (install fonts under /usr/share/fonts).");
        var pooled = Collect(root, preset);
        if (pooled.Files == 0) return [];
        var files = new List<string>();
        var runs = preset.Runs.Keys.Where(pooled.QuiescentOutputs.ContainsKey).ToList();
        if (pooled.ActiveVariance.Count > 0)
            files.Add(ExplainedVariance(Path.Combine(figureDir, $"{preset.Preset}_explained_variance.png"), preset, runs, pooled));
        if (preset.Task == "spatial")
            files.Add(Occupancy(Path.Combine(figureDir, $"{preset.Preset}_occupancy.png"), runs, pooled));
        else
            files.Add(HeadingDensities(Path.Combine(figureDir, $"{preset.Preset}_heading_densities.png"), runs, pooled));
        return files;
    }

    private static Pooled Collect(string root, PresetReport preset)
    {
        var pooled = new Pooled();
        foreach (string folder in preset.Folders)
        {
            var networksDone = new HashSet<string>(StringComparer.Ordinal);
            bool any = false;
            foreach (string run in preset.Runs.Keys)
            {
                string path = ExperimentReport.ActivityPath(Path.Combine(root, folder), run);
                if (!File.Exists(path)) continue;
                var a = Npz.Read(path, Arrays);
                pooled.Files++;
                any = true;
                string network = run[..Math.Max(0, run.IndexOf('/'))];
                var qOut = a["quiescent_outputs"];
                pooled.QuiescentSteps = qOut.Shape[1];
                pooled.Chains = qOut.Shape[0];
                Add(pooled.QuiescentOutputs, run, qOut.AsFloat32().ToArray());
                Add(pooled.NoiseStd, run, a["quiescent_noise_std"].AsFloat32().Span[0]);
                var qHidden = a["quiescent_hidden"];
                if (qHidden.Shape[0] * qHidden.Shape[1] >= 2)
                {
                    try
                    {
                        Add(pooled.QuiescentVariance, run, Cumulative(qHidden));
                    }
                    catch (DegenerateDataException)
                    {
                        pooled.QuiescentNote[run] = "quiescent states all equal in a seed: no PCA";
                    }
                }
                else
                {
                    pooled.QuiescentNote[run] = "no quiescent hidden states saved";
                }
                if (networksDone.Add(network))
                {
                    // The waking activity of a network is the same in each of its runs' files: take it once per seed.
                    Add(pooled.ActiveOutputs, network, a["active_outputs"].AsFloat32().ToArray());
                    Add(pooled.ActiveVariance, network, Cumulative(a["active_hidden"]));
                }
            }
            if (any) pooled.Seeds++;
        }
        return pooled;
    }

    private static void Add<T>(Dictionary<string, List<T>> map, string key, T value)
    {
        if (!map.TryGetValue(key, out var list)) map[key] = list = [];
        list.Add(value);
    }

    /// <summary>Cumulative explained-variance ratio of the first components of a PCA of hidden states [.., .., hidden].</summary>
    private static double[] Cumulative(NpyArray hidden)
    {
        int h = hidden.Shape[^1], count = hidden.Length / h;
        var pca = Pca.Fit(hidden.AsFloat32().Span, count, h);
        int n = Math.Min(ComponentsShown, pca.Dimensions);
        var result = new double[n];
        double sum = 0;
        for (int k = 0; k < n; k++) result[k] = sum += pca.ExplainedVarianceRatio[k];
        return result;
    }

    /// <summary>Mean, minimum and maximum over seeds of per-seed curves of equal length.</summary>
    private static (double[] Mean, double[] Min, double[] Max) Spread(IReadOnlyList<double[]> curves)
    {
        int n = curves.Min(c => c.Length);
        var mean = new double[n];
        var min = new double[n];
        var max = new double[n];
        for (int k = 0; k < n; k++)
        {
            mean[k] = curves.Average(c => c[k]);
            min[k] = curves.Min(c => c[k]);
            max[k] = curves.Max(c => c[k]);
        }
        return (mean, min, max);
    }

    private static string ExplainedVariance(string path, PresetReport preset, IReadOnlyList<string> runs, Pooled pooled)
    {
        var multi = PlotLayout.NewRow();
        foreach (string run in runs)
        {
            string network = run[..Math.Max(0, run.IndexOf('/'))];
            var plot = new Plot();
            int seeds = pooled.QuiescentOutputs[run].Count;
            plot.Title($"{run}\nmean over {seeds} seed{(seeds == 1 ? "" : "s")}, band: min-max", 13);
            plot.XLabel("principal components");
            plot.YLabel("cumulative fraction of variance");
            int shown = 0;
            var curves = new List<(string Label, IReadOnlyList<double[]> Curves, Color Color)>();
            if (pooled.ActiveVariance.TryGetValue(network, out var active)) curves.Add(($"waking ({network})", active, Colors.SteelBlue));
            if (pooled.QuiescentVariance.TryGetValue(run, out var quiet)) curves.Add(("quiescent", quiet, Colors.OrangeRed));
            foreach (var (label, c, color) in curves)
            {
                var (mean, min, max) = Spread(c);
                var xs = Enumerable.Range(1, mean.Length).Select(k => (double)k).ToArray();
                var band = plot.Add.FillY(xs, min, max);
                band.FillColor = color.WithAlpha(0.25);
                band.LineWidth = 0;
                var line = plot.Add.Scatter(xs, mean, color);
                line.MarkerSize = 5;
                line.LineWidth = 1.5f;
                line.LegendText = $"{label}, PCA of its own states";
                shown = Math.Max(shown, mean.Length);
            }
            if (pooled.QuiescentNote.TryGetValue(run, out var note))
            {
                var text = plot.Add.Text(note, 1, 0.08);
                text.LabelFontSize = 11;
            }
            plot.Axes.SetLimits(0.5, Math.Max(shown, 1) + 0.5, 0, 1.02);
            plot.Legend.Orientation = Orientation.Vertical;
            plot.ShowLegend(Edge.Bottom); // off the data: the curves can run anywhere in [0, 1]
            multi.AddPlot(plot);
        }
        FigureFile.Save(multi, path, Panel * Math.Max(1, runs.Count), Panel + 110);
        return path;
    }

    /// <summary>Occupancy histogram of decoded positions pooled over seeds, as a density (1/m^2); row 0 is the top of the
    /// arena (ScottPlot's heatmap order). Positions outside the arena (none, for place-cell decoding) count in the edge bins.</summary>
    private static double[,] Histogram(IReadOnlyList<float[]> seeds, SpatialNavigationOptions arena, out long points)
    {
        double w = arena.BoxWidth, h = arena.BoxHeight;
        var counts = new double[OccupancyBins, OccupancyBins];
        points = 0;
        foreach (var xy in seeds)
        {
            for (int i = 0; i + 1 < xy.Length; i += 2)
            {
                int col = Math.Clamp((int)Math.Floor((xy[i] + w / 2) / w * OccupancyBins), 0, OccupancyBins - 1);
                int row = Math.Clamp((int)Math.Floor((h / 2 - xy[i + 1]) / h * OccupancyBins), 0, OccupancyBins - 1);
                counts[row, col]++;
                points++;
            }
        }
        double scale = points == 0 ? 0 : 1.0 / (points * (w / OccupancyBins) * (h / OccupancyBins));
        for (int r = 0; r < OccupancyBins; r++)
            for (int c = 0; c < OccupancyBins; c++)
                counts[r, c] *= scale;
        return counts;
    }

    private static string Occupancy(string path, IReadOnlyList<string> runs, Pooled pooled)
    {
        var arena = new SpatialNavigationOptions();
        var panels = new List<(string Title, double[,] Density, long Points)>();
        foreach (var (network, outputs) in pooled.ActiveOutputs)
        {
            var d = Histogram(outputs, arena, out long n);
            panels.Add(($"waking: {network}\n{n:N0} decoded positions, {outputs.Count} seed(s)", d, n));
        }
        int waking = panels.Count;
        foreach (string run in runs)
        {
            var outputs = pooled.QuiescentOutputs[run];
            var d = Histogram(outputs, arena, out long n);
            string std = pooled.NoiseStd[run][0].ToString("G3", CultureInfo.InvariantCulture);
            panels.Add(($"quiescent: {run} (sigma_q {std})\n{n:N0} positions ({pooled.Chains} chains x {pooled.QuiescentSteps} steps x {outputs.Count} seed(s))", d, n));
        }
        // One colour scale, capped at the waking panels' largest bin, so that the waking occupancy uses the whole scale
        // and quiescent hot spots saturate (their share is in each title).
        double cap = ReproduceFigures.SharedMaximum(panels.Take(waking).Select(p => (double[,]?)p.Density));
        var multi = PlotLayout.NewRow();
        foreach (var (title, density, _) in panels)
        {
            int above = 0;
            double peak = 0;
            var shown = new double[OccupancyBins, OccupancyBins];
            for (int r = 0; r < OccupancyBins; r++)
            {
                for (int c = 0; c < OccupancyBins; c++)
                {
                    double v = density[r, c];
                    if (v > cap) above++;
                    peak = Math.Max(peak, v);
                    shown[r, c] = Math.Min(v, cap);
                }
            }
            string saturation = FormattableString.Invariant($"{100.0 * above / (OccupancyBins * OccupancyBins):0.#}% of bins above the cap{(above > 0 ? $" (peak {peak / cap:0.#} x cap)" : "")}");
            var plot = PlotLayout.Arena(arena, $"{title}\n{saturation}");
            var hm = plot.Add.Heatmap(shown);
            hm.Rectangle = new CoordinateRect(-arena.BoxWidth / 2, arena.BoxWidth / 2, -arena.BoxHeight / 2, arena.BoxHeight / 2);
            hm.Colormap = new ScottPlot.Colormaps.Viridis();
            hm.ManualRange = new ScottPlot.Range(0, cap);
            var bar = plot.Add.ColorBar(hm);
            bar.Label = "occupancy (1/m^2), capped at waking max";
            multi.AddPlot(plot);
        }
        // Wider than tall: the colour bar takes about 100 px beside the square arena.
        FigureFile.Save(multi, path, OccupancyPanelWidth * panels.Count, OccupancyPanelHeight);
        return path;
    }

    private static string HeadingDensities(string path, IReadOnlyList<string> runs, Pooled pooled)
    {
        var multi = PlotLayout.NewRow();
        foreach (string run in runs)
        {
            string network = run[..Math.Max(0, run.IndexOf('/'))];
            var quiet = pooled.QuiescentOutputs[run];
            var curves = new List<(string Label, double[] Density)>();
            if (pooled.ActiveOutputs.TryGetValue(network, out var active))
                curves.Add(($"waking ({network}), {active.Sum(a => (long)a.Length):N0} headings", HeadDirectionFigures.Histogram(active.SelectMany(a => a).ToArray())));
            string std = pooled.NoiseStd[run][0].ToString("G3", CultureInfo.InvariantCulture);
            curves.Add(($"quiescent (sigma_q {std}), {quiet.Sum(a => (long)a.Length):N0} headings", HeadDirectionFigures.Histogram(quiet.SelectMany(a => a).ToArray())));
            double peak = curves.Max(c => c.Density.Max()) * 2 * Math.PI;
            var plot = new Plot();
            string clipped = peak > HeadDirectionFigures.MaxDensityMultiple
                ? FormattableString.Invariant($"; peak {peak:0.#} x uniform, clipped at {HeadDirectionFigures.MaxDensityMultiple:0.#}")
                : "";
            plot.Title($"{run}, {quiet.Count} seed(s) pooled\nhistograms: angle = heading, radius = density (1/rad)\nsame radial scale in all panels{clipped}", 12);
            HeadDirectionFigures.AddCircularDensities(plot, curves);
            multi.AddPlot(plot);
        }
        FigureFile.Save(multi, path, 520 * Math.Max(1, runs.Count), 520 + 110);
        return path;
    }
}
