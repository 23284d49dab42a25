using NoisyRnn.Experiments;
using ScottPlot;

namespace NoisyRnn.Cli.Plotting;

/// <summary>Box plots of one metric across compared reproduce runs: one box per run name, with the values as points.</summary>
internal static class CompareFigures
{
    public static string Box(string path, string label, IReadOnlyDictionary<string, MetricSpread> runs)
    {
        if (Fonts.Default is null || Fonts.Default.Length == 0)
            throw new InvalidOperationException("No font found for plot text (install fonts under /usr/share/fonts).");
        var plot = new Plot();
        var ticks = new List<Tick>();
        int i = 0;
        foreach (var (name, spread) in runs)
        {
            var values = spread.Values.Where(v => v is { } x && double.IsFinite(x)).Select(v => v!.Value).OrderBy(v => v).ToArray();
            ticks.Add(new Tick(i, name));
            if (values.Length > 0)
            {
                var box = new ScottPlot.Box
                {
                    Position = i,
                    BoxMin = Quantile(values, 0.25),
                    BoxMax = Quantile(values, 0.75),
                    BoxMiddle = Quantile(values, 0.5),
                    WhiskerMin = values[0],
                    WhiskerMax = values[^1],
                };
                var plottable = plot.Add.Box(box);
                plottable.FillColor = Colors.Category10[i % 10].WithAlpha(0.35);
                var points = plot.Add.Markers(Enumerable.Repeat((double)i, values.Length).ToArray(), values, MarkerShape.FilledCircle, 7, Colors.Category10[i % 10]);
                _ = points;
            }
            else
            {
                plot.Add.Text("no values", i - 0.3, 0);
            }
            i++;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.ToArray());
        plot.Axes.SetLimitsX(-0.6, runs.Count - 0.4);
        int folders = runs.Values.Select(r => r.Values.Count).DefaultIfEmpty(0).Max();
        plot.Title($"{label} across {folders} reproduce folders", 13);
        plot.YLabel(label);
        FigureFile.Save(plot, path, Math.Max(480, 200 * runs.Count + 160), 440);
        return path;
    }

    /// <summary>Linear-interpolation quantile of sorted values (numpy's default).</summary>
    private static double Quantile(double[] sorted, double q)
    {
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos), hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
