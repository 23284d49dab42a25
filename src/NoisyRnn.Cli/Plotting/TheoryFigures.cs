using NoisyRnn.Analysis;
using ScottPlot;

namespace NoisyRnn.Cli.Plotting;

/// <summary>Hidden states of one quiescence run and of its network's active run, with the PCA of the active states.</summary>
internal sealed record HiddenRun(string Name, string Network, float[] ActiveHidden, float[] QuiescentHidden, PcaResult ActivePca);

/// <summary>
/// The theory figures of a reproduce or reactivate run (ScottPlot; PNG and SVG): cumulative explained variance of the
/// active hidden states, active and quiescent hidden states (points and KDE density maps) on the top two active principal
/// components, and the loss decomposition (drawn when every network has one: the vanilla cell).
/// </summary>
internal static class TheoryFigures
{
    private const int Panel = 420;
    private const int ComponentsShown = 20;
    private const int PointsShown = 3000;

    public static IReadOnlyList<string> Write(string outDir,
        IReadOnlyList<(string Name, PcaResult? Pca, LossDecompositionResult? Decomposition)> networks, IReadOnlyList<HiddenRun> runs)
    {
        var files = new List<string>();
        if (networks.Any(n => n.Pca is not null)) files.Add(ExplainedVariance(Path.Combine(outDir, "explained_variance.png"), networks));
        if (runs.Count > 0) files.Add(HiddenPca(Path.Combine(outDir, "hidden_pca.png"), runs));
        if (runs.Count > 0) files.Add(HiddenPcaDensity(Path.Combine(outDir, "hidden_pca_density.png"), runs));
        if (networks.Count > 0 && networks.All(n => n.Decomposition is not null))
            files.Add(Decomposition(Path.Combine(outDir, "loss_decomposition.png"), networks));
        return files;
    }

    private static string ExplainedVariance(string path, IReadOnlyList<(string Name, PcaResult? Pca, LossDecompositionResult? Decomposition)> networks)
    {
        var plot = new Plot();
        int i = 0;
        foreach (var (name, pca, _) in networks)
        {
            if (pca is null) continue;
            int n = Math.Min(ComponentsShown, pca.Dimensions);
            var xs = Enumerable.Range(1, n).Select(k => (double)k).ToArray();
            double cumulative = 0;
            var ys = pca.ExplainedVarianceRatio.Take(n).Select(r => cumulative += r).ToArray();
            var s = plot.Add.Scatter(xs, ys, Colors.Category10[i++ % 10]);
            s.LegendText = name;
            s.MarkerSize = 6;
        }
        plot.Title("Active hidden states: cumulative explained variance");
        plot.XLabel("principal components");
        plot.YLabel("fraction of variance");
        plot.Axes.SetLimits(0.5, ComponentsShown + 0.5, 0, 1.02);
        plot.Legend.Alignment = Alignment.LowerRight;
        plot.ShowLegend();
        FigureFile.Save(plot, path, 640, 420);
        return path;
    }

    private static string HiddenPca(string path, IReadOnlyList<HiddenRun> runs)
    {
        var multi = PlotLayout.NewRow();
        foreach (var run in runs)
        {
            var plot = new Plot();
            plot.Title($"hidden states: {run.Name}", 13);
            plot.XLabel("active PC 1");
            plot.YLabel("active PC 2");
            var active = Thin(run.ActivePca.Project(run.ActiveHidden, 2), PointsShown);
            var quiet = Thin(run.ActivePca.Project(run.QuiescentHidden, 2), PointsShown);
            var a = plot.Add.ScatterPoints(active.X, active.Y, Colors.SteelBlue.WithAlpha(0.4));
            a.MarkerSize = 3;
            a.LegendText = "active";
            var q = plot.Add.ScatterPoints(quiet.X, quiet.Y, Colors.OrangeRed.WithAlpha(0.4));
            q.MarkerSize = 3;
            q.LegendText = "quiescent";
            plot.ShowLegend();
            multi.AddPlot(plot);
        }
        FigureFile.Save(multi, path, Panel * runs.Count, Panel + 20);
        return path;
    }

    /// <summary>
    /// Gaussian KDEs (Scott's rule) of the hidden states on the top two active principal components: one panel for the
    /// active states of each network, then one per quiescence run. All panels of one network share their axes, which cover
    /// every active and quiescent state of that network (states that leave the waking manifold are the point of the
    /// noise-free runs), up to <see cref="MaxZoomOut"/> times the waking range; a dashed box marks the waking range, and each
    /// title gives the fraction of states outside it and, when some are, beyond the axes.
    /// </summary>
    private static string HiddenPcaDensity(string path, IReadOnlyList<HiddenRun> runs)
    {
        var multi = PlotLayout.NewRow();
        var panels = new List<(string Title, string Network, double[] Scores)>();
        var activeByNetwork = new Dictionary<string, double[]>();
        foreach (var run in runs)
        {
            if (!activeByNetwork.TryGetValue(run.Network, out var active))
            {
                active = run.ActivePca.Project(run.ActiveHidden, 2);
                activeByNetwork[run.Network] = active;
                panels.Add(($"active: {run.Network}", run.Network, active));
            }
            panels.Add(($"quiescent: {run.Name}", run.Network, run.ActivePca.Project(run.QuiescentHidden, 2)));
        }
        var waking = activeByNetwork.ToDictionary(a => a.Key, a => Range(a.Value));
        var limits = activeByNetwork.ToDictionary(a => a.Key, a => PanelLimits(waking[a.Key],
            panels.Where(p => p.Network == a.Key).Select(p => Range(p.Scores))));
        foreach (var (title, network, scores) in panels)
        {
            var (xMin, xMax, yMin, yMax) = limits[network];
            var box = waking[network];
            double outsideWaking = FractionOutside(scores, box), beyondAxes = FractionOutside(scores, limits[network]);
            var plot = new Plot();
            string note = $"{100 * outsideWaking:0.#}% of states outside the waking range (dashed)"
                + (beyondAxes > 0 ? $"\n{100 * beyondAxes:0.#}% beyond the axes (clipped)" : "");
            plot.Title($"{title}\n{note}", 12);
            plot.XLabel("active PC 1");
            plot.YLabel("active PC 2");
            double[,]? grid = DensityGrid(ThinFlat(scores, PointsShown), xMin, xMax, yMin, yMax);
            if (grid is null)
            {
                plot.Add.Text("no density: states degenerate", xMin + 0.05 * (xMax - xMin), 0.5 * (yMin + yMax));
            }
            else
            {
                var hm = plot.Add.Heatmap(grid);
                // Rectangle sets the outer edges of the grid: cell centres are where DensityGrid evaluated the KDE.
                hm.Rectangle = new CoordinateRect(xMin, xMax, yMin, yMax);
                hm.Colormap = new ScottPlot.Colormaps.Viridis();
                var bar = plot.Add.ColorBar(hm);
                bar.Label = "density (own scale per panel)";
            }
            var outline = plot.Add.Rectangle(box.XMin, box.XMax, box.YMin, box.YMax);
            outline.FillStyle.Color = Colors.Transparent;
            outline.LineStyle.Color = Colors.White;
            outline.LineStyle.Width = 1.5f;
            outline.LineStyle.Pattern = LinePattern.Dashed;
            plot.Axes.SetLimits(xMin, xMax, yMin, yMax);
            multi.AddPlot(plot);
        }
        FigureFile.Save(multi, path, Panel * panels.Count, Panel + 40);
        return path;
    }

    /// <summary>How far the axes of a hidden-state density panel may reach beyond the waking range: this many times its
    /// width and height, around its centre (farther states are counted as clipped, not drawn).</summary>
    public const double MaxZoomOut = 6;

    /// <summary>
    /// Axis limits covering the waking range and every given range (widened by 10%), but at most <see cref="MaxZoomOut"/>
    /// times the waking range's size around its centre.
    /// </summary>
    public static (double XMin, double XMax, double YMin, double YMax) PanelLimits((double XMin, double XMax, double YMin, double YMax) waking,
        IEnumerable<(double XMin, double XMax, double YMin, double YMax)> ranges)
    {
        var (xMin, xMax, yMin, yMax) = waking;
        foreach (var r in ranges)
        {
            if (!double.IsFinite(r.XMin) || !double.IsFinite(r.XMax) || !double.IsFinite(r.YMin) || !double.IsFinite(r.YMax)) continue;
            xMin = Math.Min(xMin, r.XMin); xMax = Math.Max(xMax, r.XMax);
            yMin = Math.Min(yMin, r.YMin); yMax = Math.Max(yMax, r.YMax);
        }
        double dx = Math.Max(xMax - xMin, 1e-6) * 0.1, dy = Math.Max(yMax - yMin, 1e-6) * 0.1;
        xMin -= dx; xMax += dx; yMin -= dy; yMax += dy;
        double cx = 0.5 * (waking.XMin + waking.XMax), cy = 0.5 * (waking.YMin + waking.YMax);
        double hx = 0.5 * MaxZoomOut * Math.Max(waking.XMax - waking.XMin, 1e-6), hy = 0.5 * MaxZoomOut * Math.Max(waking.YMax - waking.YMin, 1e-6);
        return (Math.Max(xMin, cx - hx), Math.Min(xMax, cx + hx), Math.Max(yMin, cy - hy), Math.Min(yMax, cy + hy));
    }

    /// <summary>Fraction of the rows of [n, 2] scores outside the box (non-finite rows count as outside).</summary>
    public static double FractionOutside(double[] scores, (double XMin, double XMax, double YMin, double YMax) box)
    {
        int n = scores.Length / 2, outside = 0;
        for (int i = 0; i < n; i++)
        {
            double x = scores[2 * i], y = scores[2 * i + 1];
            if (!(x >= box.XMin && x <= box.XMax && y >= box.YMin && y <= box.YMax)) outside++;
        }
        return n == 0 ? 0 : (double)outside / n;
    }

    private const int DensityCells = 60;

    /// <summary>The bounding box of the finite rows of [n, 2] scores (-1..1 when there is none).</summary>
    private static (double XMin, double XMax, double YMin, double YMax) Range(double[] scores)
    {
        double xMin = double.PositiveInfinity, xMax = double.NegativeInfinity, yMin = double.PositiveInfinity, yMax = double.NegativeInfinity;
        for (int i = 0; i + 1 < scores.Length; i += 2)
        {
            if (!double.IsFinite(scores[i]) || !double.IsFinite(scores[i + 1])) continue;
            xMin = Math.Min(xMin, scores[i]); xMax = Math.Max(xMax, scores[i]);
            yMin = Math.Min(yMin, scores[i + 1]); yMax = Math.Max(yMax, scores[i + 1]);
        }
        return xMin > xMax ? (-1, 1, -1, 1) : (xMin, xMax, yMin, yMax);
    }

    /// <summary>KDE of [n, 2] points on a grid over the box, row 0 at the top (ScottPlot's heatmap order); null when the
    /// points are degenerate.</summary>
    private static double[,]? DensityGrid(double[] points, double xMin, double xMax, double yMin, double yMax)
    {
        GaussianKde kde;
        try
        {
            kde = new GaussianKde(points, 2, BandwidthRule.Scott);
        }
        catch (DegenerateDataException)
        {
            return null;
        }
        var at = new double[DensityCells * DensityCells * 2];
        for (int row = 0; row < DensityCells; row++)
        {
            for (int col = 0; col < DensityCells; col++)
            {
                int i = row * DensityCells + col;
                at[2 * i] = xMin + (col + 0.5) * (xMax - xMin) / DensityCells;
                at[2 * i + 1] = yMax - (row + 0.5) * (yMax - yMin) / DensityCells;
            }
        }
        double[] density = kde.Evaluate(at);
        var grid = new double[DensityCells, DensityCells];
        for (int row = 0; row < DensityCells; row++)
            for (int col = 0; col < DensityCells; col++)
                grid[row, col] = density[row * DensityCells + col];
        return grid;
    }

    /// <summary>Every k-th row of [n, 2] scores so that at most <paramref name="max"/> rows remain, as a flat array.</summary>
    private static double[] ThinFlat(double[] scores, int max)
    {
        var (xs, ys) = Thin(scores, max);
        var flat = new double[2 * xs.Length];
        for (int i = 0; i < xs.Length; i++)
        {
            flat[2 * i] = xs[i];
            flat[2 * i + 1] = ys[i];
        }
        return flat;
    }

    private static string Decomposition(string path, IReadOnlyList<(string Name, PcaResult? Pca, LossDecompositionResult? Decomposition)> networks)
    {
        string[] terms = ["denoise", "integrate", "noise", "total", "bound"];
        var plot = new Plot();
        int group = 0;
        var ticks = new List<Tick>();
        foreach (var (name, _, decomposition) in networks)
        {
            var d = decomposition!;
            double[] values = [d.MeanDenoise, d.MeanIntegrate, d.MeanNoise, d.MeanTotal, d.MeanBound];
            for (int t = 0; t < terms.Length; t++)
            {
                double x = group * (terms.Length + 1) + t;
                var bar = plot.Add.Bar(new Bar { Position = x, Value = values[t], FillColor = Colors.Category10[t], Label = values[t].ToString("0.0E+0") });
                _ = bar;
            }
            ticks.Add(new Tick(group * (terms.Length + 1) + (terms.Length - 1) / 2.0, name));
            group++;
        }
        for (int t = 0; t < terms.Length; t++)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = terms[t], FillColor = Colors.Category10[t] });
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.ToArray());
        plot.Axes.Margins(bottom: 0);
        plot.Title("Loss decomposition on the held-out batch (means over steps, per output unit)", 13);
        plot.YLabel("squared error per output unit");
        plot.ShowLegend(Edge.Right);
        FigureFile.Save(plot, path, 860, 460);
        return path;
    }

    private static (double[] X, double[] Y) Thin(double[] scores, int max)
    {
        int n = scores.Length / 2, stride = Math.Max(1, (n + max - 1) / max);
        var xs = new List<double>();
        var ys = new List<double>();
        for (int i = 0; i < n; i += stride)
        {
            xs.Add(scores[2 * i]);
            ys.Add(scores[2 * i + 1]);
        }
        return (xs.ToArray(), ys.ToArray());
    }
}
