using NoisyRnn.Analysis;
using NoisyRnn.Tasks;
using NoisyRnn.Training;
using ScottPlot;

namespace NoisyRnn.Cli.Plotting;

/// <summary>
/// The output-space figures of a reproduce or reactivate run (ScottPlot; PNG and SVG): decoded active and quiescent
/// trajectories, position densities, and (reproduce only) learning curves. The density panels draw the very KDEs that
/// the reported KL(quiescent || active) compares: the active KDE of the held-out decoded positions and each run's
/// quiescent KDE of the first KlSteps steps of every chain.
/// </summary>
internal static class ReproduceFigures
{
    private const int Panel = 420;
    private const int Grid = 56;
    private const int TrajectoriesShown = 6;
    private const int QuiescentStepsShown = 300;

    /// <param name="outDir">Output folder.</param>
    /// <param name="task">Arena of the task.</param>
    /// <param name="activeDecoded">Decoded active positions [batch, activeSteps, 2] of the network named <paramref name="activeName"/>.</param>
    /// <param name="activeDensity">The KDE of <paramref name="activeDecoded"/> used as p in the KL.</param>
    /// <param name="activeName">Network whose active run is shown.</param>
    /// <param name="batch">Held-out trajectories.</param>
    /// <param name="activeSteps">Steps per held-out trajectory.</param>
    /// <param name="runs">Quiescence runs; each report's QuiescentDensity is the q of its KL (null: no density).</param>
    /// <param name="klSteps">Steps per chain in the quiescent KDE (the preset's KlSteps), for the panel titles.</param>
    /// <param name="curves">Learning curves, or null to skip learning_curves.png (reactivate has none).</param>
    public static IReadOnlyList<string> Write(string outDir, SpatialNavigationOptions task, float[] activeDecoded, GaussianKde activeDensity, string activeName,
        int batch, int activeSteps, IReadOnlyList<(string Name, QuiescentReport Report)> runs, int klSteps,
        IReadOnlyList<(string Name, IReadOnlyList<TaskEvaluation> Evaluations)>? curves)
    {
        if (Fonts.Default is null || Fonts.Default.Length == 0)
            throw new InvalidOperationException("No font found for plot text (install fonts under /usr/share/fonts).");
        var files = new List<string>
        {
            Trajectories(Path.Combine(outDir, "trajectories.png"), task, activeDecoded, activeName, batch, activeSteps, runs),
            Densities(Path.Combine(outDir, "densities.png"), task, activeDensity, activeName, batch * activeSteps, runs, klSteps),
        };
        if (curves is not null) files.Add(LearningCurves(Path.Combine(outDir, "learning_curves.png"), curves));
        return files;
    }

    private static string Trajectories(string path, SpatialNavigationOptions task, float[] active, string activeName, int batch, int steps,
        IReadOnlyList<(string Name, QuiescentReport Report)> runs)
    {
        var multi = PlotLayout.NewRow();
        var panels = new List<(string Title, float[] Data, int Steps, int Shown)> { ($"active ({activeName})", active, steps, steps) };
        panels.AddRange(runs.Select(r => ($"quiescent: {r.Name}", r.Report.QuiescentDecoded, r.Report.Steps, Math.Min(QuiescentStepsShown, r.Report.Steps))));
        foreach (var (title, data, n, shown) in panels)
        {
            var plot = PlotLayout.Arena(task, title);
            for (int b = 0; b < Math.Min(TrajectoriesShown, batch); b++)
            {
                var xs = new double[shown];
                var ys = new double[shown];
                for (int t = 0; t < shown; t++)
                {
                    xs[t] = data[(b * n + t) * 2];
                    ys[t] = data[(b * n + t) * 2 + 1];
                }
                var line = plot.Add.ScatterLine(xs, ys, Colors.Category10[b % 10]);
                line.LineWidth = 1.2f;
                var start = plot.Add.Markers(new[] { xs[0] }, new[] { ys[0] }, MarkerShape.FilledCircle, 6, Colors.Category10[b % 10]);
                _ = start;
            }
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"decoded path ({shown} steps, colour = chain)", LineColor = Colors.Gray, LineWidth = 1.2f });
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = "start", MarkerShape = MarkerShape.FilledCircle, MarkerFillColor = Colors.Gray, MarkerLineColor = Colors.Gray, MarkerSize = 6 });
            plot.Legend.Orientation = Orientation.Horizontal;
            plot.ShowLegend(Edge.Bottom); // outside the arena: paths reach every wall
            multi.AddPlot(plot);
        }
        FigureFile.Save(multi, path, Panel * panels.Count, Panel + 20);
        return path;
    }

    /// <summary>
    /// The position KDEs on one colour scale shared by every panel (0 to the largest density of any panel), so that the
    /// panels can be compared by eye; the titles say so.
    /// </summary>
    private static string Densities(string path, SpatialNavigationOptions task, GaussianKde active, string activeName, int activePoints,
        IReadOnlyList<(string Name, QuiescentReport Report)> runs, int klSteps)
    {
        var multi = PlotLayout.NewRow();
        var panels = new List<(string Title, GaussianKde? Density)> { ($"active ({activeName})\nKDE of the KL: {activePoints} held-out positions", active) };
        panels.AddRange(runs.Select(r => ($"quiescent: {r.Name}\nKDE of the KL: first {klSteps} steps x {r.Report.Batch} chains", r.Report.QuiescentDensity)));
        var grids = panels.Select(p => p.Density is null ? null : DensityGrid(p.Density, task)).ToList();
        double shared = SharedMaximum(grids);
        for (int i = 0; i < panels.Count; i++)
        {
            var plot = PlotLayout.Arena(task, panels[i].Title + "\n(colour scale shared by all panels)");
            double[,]? density = grids[i];
            if (density is null)
            {
                plot.Add.Text("no density: positions degenerate", -task.BoxWidth / 2 * 0.9, 0);
            }
            else
            {
                var hm = plot.Add.Heatmap(density);
                // Rectangle sets the outer edges of the grid: cell centres are where DensityGrid evaluated the KDE.
                hm.Rectangle = new CoordinateRect(-task.BoxWidth / 2, task.BoxWidth / 2, -task.BoxHeight / 2, task.BoxHeight / 2);
                hm.Colormap = new ScottPlot.Colormaps.Viridis();
                hm.ManualRange = new ScottPlot.Range(0, shared);
                var bar = plot.Add.ColorBar(hm);
                bar.Label = "density (1/m^2)"; // the titles say the scale is shared
            }
            multi.AddPlot(plot);
        }
        FigureFile.Save(multi, path, Panel * panels.Count, Panel + 40);
        return path;
    }

    /// <summary>The top of a colour scale shared by several density grids: their largest finite value (1 when there is none
    /// or it is not positive).</summary>
    public static double SharedMaximum(IEnumerable<double[,]?> grids)
    {
        double max = 0;
        foreach (var grid in grids)
            if (grid is not null)
                foreach (double v in grid)
                    if (double.IsFinite(v) && v > max) max = v;
        return max > 0 ? max : 1;
    }

    private static string LearningCurves(string path, IReadOnlyList<(string Name, IReadOnlyList<TaskEvaluation> Evaluations)> curves)
    {
        var plot = new Plot();
        int i = 0;
        foreach (var (name, evals) in curves)
        {
            var s = plot.Add.Scatter(evals.Select(e => (double)e.Step).ToArray(), evals.Select(e => e.DecodingError).ToArray(), Colors.Category10[i++]);
            s.LegendText = name;
        }
        plot.Title("Held-out position decoding error");
        plot.XLabel("training step");
        plot.YLabel("mean position error (m)");
        plot.ShowLegend(Edge.Right); // outside the data: the final points, the ones that matter, sit in the corners
        FigureFile.Save(plot, path, 760, 420);
        return path;
    }

    /// <summary>
    /// A 2-D position KDE evaluated on a grid over the arena; row 0 is the top of the arena (ScottPlot's heatmap order).
    /// </summary>
    private static double[,] DensityGrid(GaussianKde kde, SpatialNavigationOptions task)
    {
        double w = task.BoxWidth, h = task.BoxHeight;
        var points = new double[Grid * Grid * 2];
        for (int row = 0; row < Grid; row++)
        {
            for (int col = 0; col < Grid; col++)
            {
                int i = row * Grid + col;
                points[2 * i] = -w / 2 + (col + 0.5) * w / Grid;
                points[2 * i + 1] = h / 2 - (row + 0.5) * h / Grid;
            }
        }
        double[] density = kde.Evaluate(points);
        var grid = new double[Grid, Grid];
        for (int row = 0; row < Grid; row++)
            for (int col = 0; col < Grid; col++)
                grid[row, col] = density[row * Grid + col];
        return grid;
    }
}
