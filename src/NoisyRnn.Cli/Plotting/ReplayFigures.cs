using NoisyRnn.Analysis;
using NoisyRnn.Tasks;
using ScottPlot;

namespace NoisyRnn.Cli.Plotting;

/// <summary>The figure of a `replay` run: the recording against the network's decoded output, and its quiescent output.</summary>
internal static class ReplayFigures
{
    private const int Panel = 460;
    private const int WindowsShown = 6;
    private const int ChainsShown = 4;
    private const int QuiescentStepsShown = 300;

    private static void CheckFonts()
    {
        if (Fonts.Default is null || Fonts.Default.Length == 0)
            throw new InvalidOperationException("No font found for plot text (install fonts under /usr/share/fonts).");
    }

    /// <summary>Positions: recorded (grey) and decoded (colour) paths of the first windows; decoded quiescent paths.</summary>
    public static string Positions(string path, SpatialNavigationOptions task, float[] recorded, float[] decoded, int windows, int steps, QuiescentReport quiescent)
    {
        CheckFonts();
        var multi = PlotLayout.NewRow();
        var left = PlotLayout.Arena(task, $"recording vs decoded ({Math.Min(WindowsShown, windows)} of {windows} windows)");
        for (int b = 0; b < Math.Min(WindowsShown, windows); b++)
        {
            var (rx, ry) = Path2(recorded, b, steps, steps);
            var truth = left.Add.ScatterLine(rx, ry, Colors.Gray.WithAlpha(0.7));
            truth.LineWidth = 4;
            var (dx, dy) = Path2(decoded, b, steps, steps);
            var line = left.Add.ScatterLine(dx, dy, Colors.Category10[b % 10]);
            line.LineWidth = 1.5f;
            if (b == 0)
            {
                truth.LegendText = "recorded";
                line.LegendText = "decoded (active)";
            }
        }
        left.ShowLegend(Alignment.UpperRight);
        multi.AddPlot(left);

        int shown = Math.Min(QuiescentStepsShown, quiescent.Steps);
        var right = PlotLayout.Arena(task, $"quiescent decoded paths (sigma_q {quiescent.QuiescentNoiseStd:G3}, {shown} steps)");
        for (int b = 0; b < Math.Min(ChainsShown, quiescent.Batch); b++)
        {
            var (x, y) = Path2(quiescent.QuiescentDecoded, b, quiescent.Steps, shown);
            var line = right.Add.ScatterLine(x, y, Colors.Category10[b % 10]);
            line.LineWidth = 1.2f;
            line.LegendText = $"chain {b + 1}";
            right.Add.Markers(new[] { x[0] }, new[] { y[0] }, MarkerShape.FilledCircle, 7, Colors.Category10[b % 10]);
        }
        right.ShowLegend(Alignment.UpperRight);
        multi.AddPlot(right);
        FigureFile.Save(multi, path, 2 * Panel, Panel + 20);
        return path;
    }

    /// <summary>Headings: recorded and decoded heading over time for the first windows; decoded quiescent headings over steps.</summary>
    public static string Headings(string path, double dt, float[] recorded, float[] decoded, int windows, int steps, QuiescentReport quiescent)
    {
        CheckFonts();
        var multi = PlotLayout.NewRow();
        int shownWindows = Math.Min(WindowsShown, windows);
        var left = HeadDirectionFigures.HeadingAxes($"recording vs decoded ({shownWindows} of {windows} windows)", "time in the replayed windows (s)");
        for (int b = 0; b < shownWindows; b++)
        {
            var time = Enumerable.Range(1, steps).Select(t => (b * steps + t) * dt).ToArray();
            HeadDirectionFigures.AddTrace(left, time, recorded.AsSpan(b * steps, steps), Colors.Gray.WithAlpha(0.7), 4f, b == 0 ? "recorded" : null);
            HeadDirectionFigures.AddTrace(left, time, decoded.AsSpan(b * steps, steps), Colors.Category10[0], 1.5f, b == 0 ? "decoded (active)" : null);
        }
        left.ShowLegend(Alignment.LowerRight);
        multi.AddPlot(left);

        int shown = Math.Min(HeadDirectionFigures.QuiescentSteps, quiescent.Steps);
        var right = HeadDirectionFigures.HeadingAxes($"quiescent decoded heading (sigma_q {quiescent.QuiescentNoiseStd:G3})", "quiescent step");
        var x = Enumerable.Range(0, shown).Select(t => (double)t).ToArray();
        for (int b = 0; b < Math.Min(ChainsShown, quiescent.Batch); b++)
            HeadDirectionFigures.AddTrace(right, x, quiescent.QuiescentDecoded.AsSpan(b * quiescent.Steps, shown), Colors.Category10[b % 10], 1.2f, $"chain {b + 1}");
        right.ShowLegend(Alignment.LowerRight);
        multi.AddPlot(right);
        FigureFile.Save(multi, path, 2 * Panel + 80, Panel + 20);
        return path;
    }

    private static (double[] X, double[] Y) Path2(float[] data, int b, int steps, int shown)
    {
        var xs = new double[shown];
        var ys = new double[shown];
        for (int t = 0; t < shown; t++)
        {
            xs[t] = data[(b * steps + t) * 2];
            ys[t] = data[(b * steps + t) * 2 + 1];
        }
        return (xs, ys);
    }
}
