using NoisyRnn.Analysis;
using ScottPlot;

namespace NoisyRnn.Cli.Plotting;

/// <summary>Hidden states of one quiescence run and of its network's active run, with the PCA of the active states.</summary>
internal sealed record HiddenRun(string Name, string Network, float[] ActiveHidden, float[] QuiescentHidden, PcaResult ActivePca);

/// <summary>
/// The theory figures of a reproduce run (ScottPlot, PNG): cumulative explained variance of the active hidden states,
/// active and quiescent hidden states on the top two active principal components, and the loss decomposition.
/// </summary>
internal static class TheoryFigures
{
    private const int Panel = 420;
    private const int ComponentsShown = 20;
    private const int PointsShown = 3000;

    public static IReadOnlyList<string> Write(string outDir,
        IReadOnlyList<(string Name, PcaResult? Pca, LossDecompositionResult Decomposition)> networks, IReadOnlyList<HiddenRun> runs)
    {
        var files = new List<string>();
        if (networks.Any(n => n.Pca is not null)) files.Add(ExplainedVariance(Path.Combine(outDir, "explained_variance.png"), networks));
        if (runs.Count > 0) files.Add(HiddenPca(Path.Combine(outDir, "hidden_pca.png"), runs));
        files.Add(Decomposition(Path.Combine(outDir, "loss_decomposition.png"), networks));
        return files;
    }

    private static string ExplainedVariance(string path, IReadOnlyList<(string Name, PcaResult? Pca, LossDecompositionResult Decomposition)> networks)
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
        plot.SavePng(path, 640, 420);
        return path;
    }

    private static string HiddenPca(string path, IReadOnlyList<HiddenRun> runs)
    {
        var multi = new Multiplot();
        multi.Subplots.RemoveAt(0);
        multi.Layout = new ScottPlot.MultiplotLayouts.Columns();
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
        multi.SavePng(path, Panel * runs.Count, Panel + 20);
        return path;
    }

    private static string Decomposition(string path, IReadOnlyList<(string Name, PcaResult? Pca, LossDecompositionResult Decomposition)> networks)
    {
        string[] terms = ["denoise", "integrate", "noise", "total", "bound"];
        var plot = new Plot();
        int group = 0;
        var ticks = new List<Tick>();
        foreach (var (name, _, d) in networks)
        {
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
        plot.SavePng(path, 860, 460);
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
