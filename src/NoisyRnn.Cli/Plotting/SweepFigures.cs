using System.Globalization;
using NoisyRnn.Cli.Commands;
using ScottPlot;

namespace NoisyRnn.Cli.Plotting;

/// <summary>
/// The figures of a quiescence-modifier sweep (`reactivate` with comma lists): for each swept modifier, the compression
/// factor (speed ratio), the diffusion exponent and the occupancy distances (W2 and KL) against its value, one series per
/// setting of the other swept modifiers, every metric on the same y range in every such figure; and the mean squared
/// displacement against lag on log-log axes, waking against quiescent, one curve per setting.
/// </summary>
internal static class SweepFigures
{
    private const int Panel = 380;
    private const int LegendWidth = 170;

    /// <summary>A modifier as an axis: its file name, its label and its value in a row (null when the row has none).</summary>
    private sealed record Axis(string Name, string Label, string Short, Func<SweepRow, double?> Value);

    private static readonly Axis[] Axes =
    [
        new("momentum", "momentum M", "M", r => r.Momentum),
        new("adaptation", "adaptation strength b", "b", r => r.Adaptation),
        new("adaptation_tau", "adaptation tau_a (steps)", "tau_a", r => r.AdaptationTau),
        new("quiescent_leak", "quiescent leak (dt/tau)", "leak", r => r.Leak),
    ];

    /// <summary>A metric panel: its title, y label, value and standard error of a row, and a reference line.</summary>
    private sealed record Metric(string Title, string Label, Func<SweepRow, double?> Value, Func<SweepRow, double?> Error, double? Reference, string? ReferenceLabel);

    public static IReadOnlyList<string> Write(string dir, SweepSummary s)
    {
        if (Fonts.Default is null || Fonts.Default.Length == 0)
            throw new InvalidOperationException("No font found for plot text (install fonts under /usr/share/fonts).");
        var rows = s.Settings;
        var swept = Axes.Where(a => rows.Select(a.Value).Distinct().Count() > 1).ToList();
        var files = new List<string>();
        if (swept.Count == 0) return files;
        string u = s.Unit;
        double? floor = Mean(rows.Select(r => r.Wasserstein2Floor));
        var metrics = new Metric[]
        {
            new("compression factor (dashed: waking)", "quiescent / waking speed (lag 1)", r => r.SpeedRatio, _ => null, 1, "waking speed"),
            new("diffusion exponent (dashed: waking)", "MSD exponent alpha", r => r.DiffusionExponent, r => r.DiffusionExponentStandardError, s.Active?.DiffusionExponent, "waking"),
            new("W2 (dashed: sampling floor)", $"W2 to waking occupancy ({u})", r => r.Wasserstein2, _ => null, floor, "sampling floor"),
            new("occupancy distance KL", "KL(quiescent || active) (nats)", r => r.Kl, r => r.KlStandardError, null, null),
        };
        // One y range per metric, shared by every figure that shows it.
        var ranges = metrics.Select(m => Range(rows.SelectMany(r => Bounds(m, r)).Append(m.Reference))).ToArray();
        foreach (var axis in swept)
            files.Add(MetricsFigure(Path.Combine(dir, $"sweep_{axis.Name}.png"), s, axis, swept.Where(a => a != axis).ToList(), metrics, ranges));
        files.Add(MsdFigure(Path.Combine(dir, "msd.png"), s, swept[0], swept.Skip(1).ToList()));
        return files;
    }

    private static string MetricsFigure(string path, SweepSummary s, Axis x, IReadOnlyList<Axis> others, Metric[] metrics, (double Low, double High)[] ranges)
    {
        var groups = s.Settings.GroupBy(r => Key(r, others)).ToList();
        var multi = PlotLayout.NewRow();
        for (int m = 0; m < metrics.Length; m++)
        {
            var metric = metrics[m];
            var plot = new Plot();
            plot.Title(metric.Title, 13);
            plot.XLabel(x.Label);
            plot.YLabel(metric.Label);
            if (metric.Reference is { } reference)
            {
                var line = plot.Add.HorizontalLine(reference, 1.5f, Colors.Gray, LinePattern.Dashed);
                line.LegendText = metric.ReferenceLabel ?? "";
            }
            var (low, high) = ranges[m];
            bool failedLabelled = false;
            for (int g = 0; g < groups.Count; g++)
            {
                var color = Colors.Category10[g % 10];
                string label = groups.Count > 1 || others.Count > 0 ? Label(groups[g].First(), others) : "quiescent";
                var points = groups[g].Where(r => x.Value(r) is not null && metric.Value(r) is { } v && double.IsFinite(v)).OrderBy(r => x.Value(r)).ToList();
                // Settings without a value because their chains ran away or diverged: an x in the series' colour on the bottom edge.
                double[] failed = groups[g].Where(r => r.Note is not null && metric.Value(r) is null && x.Value(r) is not null).Select(r => x.Value(r)!.Value).ToArray();
                if (failed.Length > 0)
                {
                    var marks = plot.Add.Markers(failed, Enumerable.Repeat(low + 0.03 * (high - low), failed.Length).ToArray(), MarkerShape.Eks, 11, color);
                    if (points.Count == 0) marks.LegendText = label + ": ran away";
                    else if (!failedLabelled)
                    {
                        marks.LegendText = "x: ran away";
                        failedLabelled = true;
                    }
                }
                if (points.Count == 0) continue;
                double[] xs = points.Select(r => x.Value(r)!.Value).ToArray(), ys = points.Select(r => metric.Value(r)!.Value).ToArray();
                var scatter = plot.Add.Scatter(xs, ys, color);
                scatter.LineWidth = 2;
                scatter.MarkerSize = 7;
                scatter.LegendText = label;
                double[] errors = points.Select(r => metric.Error(r) ?? 0).ToArray();
                if (errors.Any(e => e > 0))
                {
                    var bars = plot.Add.ErrorBar(xs, ys, errors);
                    bars.Color = color;
                }
            }
            plot.Axes.SetLimitsY(low, high);
            double[] all = s.Settings.Select(x.Value).Where(v => v is not null).Select(v => v!.Value).ToArray();
            double pad = 0.06 * Math.Max(all.Max() - all.Min(), 1e-9);
            plot.Axes.SetLimitsX(all.Min() - pad, all.Max() + pad);
            // Off the data, once for the whole row (the panels share their series and colours).
            if (m == metrics.Length - 1) plot.ShowLegend(Edge.Right);
            else plot.HideLegend();
            multi.AddPlot(plot);
        }
        FigureFile.Save(multi, path, metrics.Length * Panel + LegendWidth, Panel + 20);
        return path;
    }

    private static string MsdFigure(string path, SweepSummary s, Axis curves, IReadOnlyList<Axis> panels)
    {
        var groups = s.Settings.GroupBy(r => Key(r, panels)).ToList();
        var curveValues = s.Settings.Select(curves.Value).Where(v => v is not null).Select(v => v!.Value).Distinct().OrderBy(v => v).ToList();
        var colormap = new ScottPlot.Colormaps.Viridis();
        // Shared log-log limits over every curve of every panel.
        var xsAll = new List<double>();
        var ysAll = new List<double>();
        void Collect(double[]? lags, double[]? msd)
        {
            if (lags is null || msd is null) return;
            for (int i = 0; i < lags.Length; i++)
                if (lags[i] > 0 && msd[i] > 0)
                {
                    xsAll.Add(Math.Log10(lags[i]));
                    ysAll.Add(Math.Log10(msd[i]));
                }
        }
        Collect(s.Active?.MsdLagsSeconds, s.Active?.Msd);
        foreach (var r in s.Settings) Collect(r.MsdLagsSeconds, r.Msd);
        var multi = PlotLayout.NewRow();
        if (xsAll.Count == 0) return path;
        double xLow = xsAll.Min(), xHigh = xsAll.Max(), yLow = ysAll.Min(), yHigh = ysAll.Max();
        double xPad = 0.05 * Math.Max(xHigh - xLow, 0.1), yPad = 0.05 * Math.Max(yHigh - yLow, 0.1);
        for (int g = 0; g < groups.Count; g++)
        {
            var plot = new Plot();
            plot.Title(panels.Count == 0 ? "mean squared displacement" : "MSD, " + Label(groups[g].First(), panels), 13);
            plot.XLabel("lag (s)");
            plot.YLabel($"MSD ({s.Unit}^2)");
            if (s.Active is { } a)
            {
                var (ax, ay) = Log(a.MsdLagsSeconds, a.Msd);
                var waking = plot.Add.Scatter(ax, ay, Colors.Black);
                waking.LineWidth = 3;
                waking.LinePattern = LinePattern.Dashed;
                waking.MarkerSize = 0;
                waking.LegendText = "waking";
                if (ax.Length > 0)
                {
                    // Slope 1 (diffusive) through the waking curve's first point, for the eye.
                    var guide = plot.Add.Line(ax[0], ay[0], xHigh, ay[0] + (xHigh - ax[0]));
                    guide.Color = Colors.Gray.WithAlpha(0.6);
                    guide.LinePattern = LinePattern.Dotted;
                    guide.LegendText = "slope 1";
                }
            }
            foreach (var r in groups[g].OrderBy(r => curves.Value(r)))
            {
                if (r.MsdLagsSeconds is null || r.Msd is null) continue;
                var (qx, qy) = Log(r.MsdLagsSeconds, r.Msd);
                int index = curveValues.IndexOf(curves.Value(r) ?? double.NaN);
                double fraction = curveValues.Count > 1 ? 0.9 * index / (curveValues.Count - 1) : 0;
                var line = plot.Add.Scatter(qx, qy, colormap.GetColor(fraction));
                line.LineWidth = 2;
                line.MarkerSize = 5;
                line.LegendText = $"{curves.Short} = {Format(curves.Value(r))}";
            }
            plot.Axes.SetLimits(xLow - xPad, xHigh + xPad, yLow - yPad, yHigh + yPad);
            plot.Axes.Bottom.TickGenerator = LogTicks(xLow - xPad, xHigh + xPad);
            plot.Axes.Left.TickGenerator = LogTicks(yLow - yPad, yHigh + yPad);
            if (g == groups.Count - 1) plot.ShowLegend(Edge.Right);
            else plot.HideLegend();
            multi.AddPlot(plot);
        }
        FigureFile.Save(multi, path, groups.Count * Panel + LegendWidth, Panel + 20);
        return path;
    }

    /// <summary>Ticks of a log10 axis: labelled decades and unlabelled ticks at 2-9 times each decade; over less than two
    /// decades 2 and 5 times each decade are labelled too, and under one decade every tick, so that a short range still has numbers.</summary>
    private static ScottPlot.TickGenerators.NumericManual LogTicks(double low, double high)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        bool narrow = high - low < 2, withinDecade = high - low < 1;
        for (int e = (int)Math.Floor(low); e <= (int)Math.Ceiling(high); e++)
        {
            for (int k = 1; k <= 9; k++)
            {
                double v = e + Math.Log10(k);
                if (v < low || v > high) continue;
                if (k == 1 || withinDecade || (narrow && k is 2 or 5)) ticks.AddMajor(v, (k * Math.Pow(10, e)).ToString("G3", CultureInfo.InvariantCulture));
                else ticks.AddMinor(v);
            }
        }
        return ticks;
    }

    private static (double[] X, double[] Y) Log(double[] lags, double[] msd)
    {
        var keep = Enumerable.Range(0, Math.Min(lags.Length, msd.Length)).Where(i => lags[i] > 0 && msd[i] > 0).ToArray();
        return (keep.Select(i => Math.Log10(lags[i])).ToArray(), keep.Select(i => Math.Log10(msd[i])).ToArray());
    }

    private static string Key(SweepRow r, IReadOnlyList<Axis> axes) => string.Join(",", axes.Select(a => Format(a.Value(r))));

    private static string Label(SweepRow r, IReadOnlyList<Axis> axes) => string.Join(", ", axes.Select(a => $"{a.Short} = {Format(a.Value(r))}"));

    private static string Format(double? v) => v is { } x ? x.ToString("G3", CultureInfo.InvariantCulture) : "own";

    private static IEnumerable<double?> Bounds(Metric m, SweepRow r)
    {
        if (m.Value(r) is not { } v || !double.IsFinite(v)) yield break;
        double e = m.Error(r) ?? 0;
        yield return v - e;
        yield return v + e;
    }

    /// <summary>The y range of a metric over all values, padded by 8% (and never empty).</summary>
    private static (double Low, double High) Range(IEnumerable<double?> values)
    {
        var finite = values.Where(v => v is { } x && double.IsFinite(x)).Select(v => v!.Value).ToArray();
        if (finite.Length == 0) return (0, 1);
        double low = finite.Min(), high = finite.Max(), pad = 0.08 * Math.Max(high - low, Math.Max(Math.Abs(high), 1e-6) * 0.05);
        return (low - pad, high + pad);
    }

    private static double? Mean(IEnumerable<double?> values)
    {
        var finite = values.Where(v => v is { } x && double.IsFinite(x)).Select(v => v!.Value).ToArray();
        return finite.Length == 0 ? null : finite.Average();
    }
}
