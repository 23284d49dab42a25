using NoisyRnn.Analysis;
using NoisyRnn.Tasks;
using ScottPlot;

namespace NoisyRnn.Cli.Plotting;

/// <summary>
/// The head-direction figures of a reproduce run (ScottPlot, PNG): decoded heading over time, active against quiescent
/// (hd_headings.png), and circular densities of the active and quiescent decoded headings of each network (hd_densities.png).
/// </summary>
internal static class HeadDirectionFigures
{
    private const int Panel = 420;
    private const int TrajectoriesShown = 3;
    /// <summary>Quiescent steps shown in heading-over-time panels.</summary>
    public const int QuiescentSteps = 1000;
    private const int Bins = 72; // 5 degrees

    /// <summary>One network's active run: decoded and true headings [batch, steps], rad, wrapped.</summary>
    public sealed record ActiveHeadings(string Network, float[] Decoded, float[] Truth, int Batch, int Steps);

    public static IReadOnlyList<string> Write(string outDir, double dt, IReadOnlyList<ActiveHeadings> active,
        IReadOnlyList<(string Name, string Network, QuiescentReport Report)> runs)
    {
        if (Fonts.Default is null || Fonts.Default.Length == 0)
            throw new InvalidOperationException("No font found for plot text (install fonts under /usr/share/fonts).");
        return
        [
            Headings(Path.Combine(outDir, "hd_headings.png"), dt, active, runs),
            Densities(Path.Combine(outDir, "hd_densities.png"), active, runs),
        ];
    }

    private static string Headings(string path, double dt, IReadOnlyList<ActiveHeadings> active,
        IReadOnlyList<(string Name, string Network, QuiescentReport Report)> runs)
    {
        var multi = PlotLayout.NewRow();
        foreach (var a in active)
        {
            var plot = HeadingAxes($"active: {a.Network}", "time (s)");
            for (int b = 0; b < Math.Min(TrajectoriesShown, a.Batch); b++)
            {
                var time = Enumerable.Range(1, a.Steps).Select(t => t * dt).ToArray();
                AddTrace(plot, time, a.Truth.AsSpan(b * a.Steps, a.Steps), Colors.Gray.WithAlpha(0.8), 3f, b == 0 ? "true heading" : null);
                AddTrace(plot, time, a.Decoded.AsSpan(b * a.Steps, a.Steps), Colors.Category10[b % 10], 1.3f, b == 0 ? "decoded" : null);
            }
            plot.ShowLegend(Alignment.LowerRight);
            multi.AddPlot(plot);
        }
        foreach (var (name, _, report) in runs)
        {
            var plot = HeadingAxes($"quiescent: {name}", "quiescent step");
            int shown = Math.Min(QuiescentSteps, report.Steps);
            var steps = Enumerable.Range(0, shown).Select(t => (double)t).ToArray();
            for (int b = 0; b < Math.Min(TrajectoriesShown, report.Batch); b++)
                AddTrace(plot, steps, report.QuiescentDecoded.AsSpan(b * report.Steps, shown), Colors.Category10[b % 10], 1.3f, $"chain {b + 1}");
            plot.ShowLegend(Alignment.LowerRight);
            multi.AddPlot(plot);
        }
        FigureFile.Save(multi, path, Panel * (active.Count + runs.Count), Panel + 20);
        return path;
    }

    private static string Densities(string path, IReadOnlyList<ActiveHeadings> active, IReadOnlyList<(string Name, string Network, QuiescentReport Report)> runs)
    {
        var multi = PlotLayout.NewRow();
        foreach (var a in active)
        {
            var plot = new Plot();
            plot.Title($"{a.Network}: heading densities (polar)\nangle = heading, radius = density (1/rad), same scale in all panels", 12);
            var curves = new List<(string Label, double[] Density)> { ("active (decoded, held-out batch)", Histogram(a.Decoded)) };
            foreach (var (name, network, report) in runs.Where(r => r.Network == a.Network))
                curves.Add(($"quiescent {name[(name.IndexOf('/') + 1)..]} (sigma_q {report.QuiescentNoiseStd:G3})", Histogram(report.QuiescentDecoded)));
            AddCircularDensities(plot, curves);
            multi.AddPlot(plot);
        }
        FigureFile.Save(multi, path, 520 * active.Count, 520 + 130);
        return path;
    }

    // Radius of the curve at the uniform density 1/(2 pi), and the largest radius drawn (higher densities are clipped).
    private const double UniformRadius = 1.5, MaxRadius = 2.6;
    /// <summary>The largest density drawn, in multiples of the uniform density (3.2): higher values are clipped.</summary>
    public const double MaxDensityMultiple = (MaxRadius - 1) / (UniformRadius - 1);
    // Radius of the heading labels around the plot.
    private const double LabelRadius = 2.95;

    /// <summary>
    /// Circular density plot on a scale shared by every panel, drawn as a polar plot: the angle is the heading (labelled
    /// in degrees, 0 to the right, counter-clockwise positive), and each density p(theta) (1/rad) is the closed curve of
    /// radius 1 + 0.5 p / (1/(2 pi)) around the inner circle p = 0 (the uniform density 1/(2 pi) at radius 1.5, dashed;
    /// twice uniform at 2; three times at 2.5), clipped at radius 2.6 (3.2 times uniform). Reference circles are labelled
    /// with their density; there are no Cartesian axes. The legend sits below the panel.
    /// </summary>
    public static void AddCircularDensities(Plot plot, IReadOnlyList<(string Label, double[] Density)> curves)
    {
        int n = curves[0].Density.Length;
        bool titled = plot.Axes.Title.IsVisible;
        plot.HideAxesAndGrid(); // no Cartesian ticks: x and y mean nothing here
        plot.Axes.Title.IsVisible = titled;
        // Spokes every 45 degrees, labelled outside the largest circle.
        for (int degrees = -135; degrees <= 180; degrees += 45)
        {
            double a = degrees * Math.PI / 180;
            var spoke = plot.Add.Line(Math.Cos(a), Math.Sin(a), MaxRadius * Math.Cos(a), MaxRadius * Math.Sin(a));
            spoke.LineColor = Colors.Gray.WithAlpha(0.35);
            spoke.LineWidth = 1;
            var label = plot.Add.Text(degrees == 180 ? "±180°" : $"{degrees}°", LabelRadius * Math.Cos(a), LabelRadius * Math.Sin(a));
            label.LabelAlignment = Alignment.MiddleCenter;
            label.LabelFontSize = 12;
            label.LabelFontColor = Colors.DimGray;
        }
        // Reference circles: p = 0 (the inner circle, solid), uniform (dashed, in the legend), 2x and 3x uniform (faint),
        // each labelled with its density (1/rad) on the 22.5-degree ray, between spokes.
        var inner = RadialCurve(new double[n]);
        var unit = plot.Add.ScatterLine(inner.X, inner.Y, Colors.Black);
        unit.LineWidth = 1;
        foreach (double multiple in new[] { 2.0, 3.0 })
        {
            var ring = RadialCurve(Enumerable.Repeat(multiple / (2 * Math.PI), n).ToArray());
            var r = plot.Add.ScatterLine(ring.X, ring.Y, Colors.Gray.WithAlpha(0.45));
            r.LineWidth = 1;
            r.LinePattern = LinePattern.Dotted;
        }
        var uniform = RadialCurve(Enumerable.Repeat(1 / (2 * Math.PI), n).ToArray());
        var u = plot.Add.ScatterLine(uniform.X, uniform.Y, Colors.Gray);
        u.LinePattern = LinePattern.Dashed;
        u.LegendText = "uniform density (1/2pi = 0.16 per rad)";
        int i = 0;
        foreach (var (label, density) in curves)
        {
            var (x, y) = RadialCurve(density);
            var line = plot.Add.ScatterLine(x, y, Colors.Category10[i++ % 10]);
            line.LineWidth = 2;
            line.LegendText = label;
        }
        // Density labels last, on a white background, so that no curve hides them.
        foreach (double multiple in new[] { 0.0, 1.0, 2.0, 3.0 })
        {
            double radius = 1 + (UniformRadius - 1) * multiple, a = Math.PI / 8;
            var text = plot.Add.Text((multiple / (2 * Math.PI)).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture), radius * Math.Cos(a), radius * Math.Sin(a));
            text.LabelAlignment = Alignment.MiddleCenter;
            text.LabelFontSize = 10;
            text.LabelFontColor = Colors.DimGray;
            text.LabelBackgroundColor = Colors.White.WithAlpha(0.85);
        }
        plot.Axes.SetLimits(-3.3, 3.3, -3.3, 3.3);
        plot.Axes.SquareUnits();
        plot.ShowLegend(Edge.Bottom);
    }

    private static (double[] X, double[] Y) RadialCurve(double[] density)
    {
        int n = density.Length;
        var x = new double[n + 1];
        var y = new double[n + 1];
        for (int k = 0; k <= n; k++)
        {
            double angle = -Math.PI + (k % n + 0.5) * 2 * Math.PI / n;
            double r = Math.Min(MaxRadius, 1 + (UniformRadius - 1) * density[k % n] * 2 * Math.PI);
            x[k] = r * Math.Cos(angle);
            y[k] = r * Math.Sin(angle);
        }
        return (x, y);
    }

    /// <summary>Histogram of wrapped headings on <see cref="Bins"/> bins over [-pi, pi), as a density (1/rad).</summary>
    public static double[] Histogram(ReadOnlySpan<float> headings)
    {
        var counts = new double[Bins];
        foreach (float h in headings)
        {
            int bin = (int)Math.Floor((Angles.Wrap(h) + Math.PI) / (2 * Math.PI) * Bins);
            counts[Math.Clamp(bin, 0, Bins - 1)]++;
        }
        double scale = headings.Length == 0 ? 0 : Bins / (2 * Math.PI * headings.Length);
        for (int i = 0; i < Bins; i++) counts[i] *= scale;
        return counts;
    }

    /// <summary>Adds a heading trace (wrapped to [-pi, pi)), broken where it wraps so that no line crosses the plot.</summary>
    public static void AddTrace(Plot plot, double[] x, ReadOnlySpan<float> headings, Color color, float width, string? legend)
    {
        int start = 0;
        bool labelled = false;
        for (int t = 1; t <= headings.Length; t++)
        {
            if (t < headings.Length && Math.Abs(Angles.Wrap(headings[t]) - Angles.Wrap(headings[t - 1])) < Math.PI) continue;
            var xs = x[start..t];
            var ys = new double[t - start];
            for (int k = start; k < t; k++) ys[k - start] = Angles.Wrap(headings[k]);
            var line = plot.Add.ScatterLine(xs, ys, color);
            line.LineWidth = width;
            if (legend is not null && !labelled)
            {
                line.LegendText = legend;
                labelled = true;
            }
            start = t;
        }
    }

    /// <summary>Axes for heading against time: y from -pi to pi with ticks at multiples of pi/2.</summary>
    public static Plot HeadingAxes(string title, string xLabel)
    {
        var plot = new Plot();
        plot.Title(title, 13);
        plot.XLabel(xLabel);
        plot.YLabel("heading (rad)");
        plot.Axes.SetLimitsY(-Math.PI * 1.05, Math.PI * 1.05);
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        foreach (var (v, label) in new[] { (-Math.PI, "-pi"), (-Math.PI / 2, "-pi/2"), (0.0, "0"), (Math.PI / 2, "pi/2"), (Math.PI, "pi") })
            ticks.AddMajor(v, label);
        plot.Axes.Left.TickGenerator = ticks;
        return plot;
    }
}
