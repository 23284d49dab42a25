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
    /// active states of each network, then one per quiescence run, over the range of that network's active projections.
    /// </summary>
    private static string HiddenPcaDensity(string path, IReadOnlyList<HiddenRun> runs)
    {
        var multi = PlotLayout.NewRow();
        var panels = new List<(string Title, double[] Scores, double[] Active)>();
        var activeByNetwork = new Dictionary<string, double[]>();
        foreach (var run in runs)
        {
            if (!activeByNetwork.TryGetValue(run.Network, out var active))
            {
                active = run.ActivePca.Project(run.ActiveHidden, 2);
                activeByNetwork[run.Network] = active;
                panels.Add(($"active: {run.Network}", active, active));
            }
            panels.Add(($"quiescent: {run.Name}", run.ActivePca.Project(run.QuiescentHidden, 2), active));
        }
        foreach (var (title, scores, active) in panels)
        {
            var plot = new Plot();
            plot.Title(title, 13);
            plot.XLabel("active PC 1");
            plot.YLabel("active PC 2");
            var (xMin, xMax, yMin, yMax) = Range(active);
            double[,]? grid = DensityGrid(ThinFlat(scores, PointsShown), xMin, xMax, yMin, yMax);
            if (grid is null)
            {
                plot.Add.Text("no density: states degenerate", xMin + 0.05 * (xMax - xMin), 0.5 * (yMin + yMax));
            }
            else
            {
                var hm = plot.Add.Heatmap(grid);
                hm.Extent = new CoordinateRect(xMin, xMax, yMin, yMax);
                hm.Colormap = new ScottPlot.Colormaps.Viridis();
                var bar = plot.Add.ColorBar(hm);
                bar.Label = "density";
            }
            plot.Axes.SetLimits(xMin, xMax, yMin, yMax);
            multi.AddPlot(plot);
        }
        FigureFile.Save(multi, path, Panel * panels.Count, Panel + 20);
        return path;
    }

    private const int DensityCells = 60;

    /// <summary>The bounding box of [n, 2] scores widened by 15% on every side (a unit box around a single point).</summary>
    private static (double XMin, double XMax, double YMin, double YMax) Range(double[] scores)
    {
        double xMin = double.PositiveInfinity, xMax = double.NegativeInfinity, yMin = double.PositiveInfinity, yMax = double.NegativeInfinity;
        for (int i = 0; i + 1 < scores.Length; i += 2)
        {
            xMin = Math.Min(xMin, scores[i]); xMax = Math.Max(xMax, scores[i]);
            yMin = Math.Min(yMin, scores[i + 1]); yMax = Math.Max(yMax, scores[i + 1]);
        }
        double dx = Math.Max(xMax - xMin, 1e-6) * 0.15, dy = Math.Max(yMax - yMin, 1e-6) * 0.15;
        return (xMin - dx, xMax + dx, yMin - dy, yMax + dy);
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
