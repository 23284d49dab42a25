using NoisyRnn.Experiments;
using NoisyRnn.Cli.Commands;
using ScottPlot;

namespace NoisyRnn.Cli.Plotting;

/// <summary>
/// The KL matrix of a reproduce run as a heatmap with each value written in its cell. The colour is on a log scale, so
/// that the contrast of interest (about 0.10 against 0.15 nats) stays visible beside the untrained network's row (about
/// 1) and the uniform row; every cell is a vector rectangle of the same size, in the PNG and in the SVG alike.
/// </summary>
internal static class KlMatrixFigure
{
    /// <summary>Smallest colour-scale floor (nats): values at or below it (including the Monte Carlo estimator's small
    /// negative values) take the bottom colour; the written number is always the exact value.</summary>
    public const double MinimumFloor = 1e-3;

    /// <summary>Draws <paramref name="matrix"/> to <paramref name="path"/> (PNG) and its SVG twin.</summary>
    /// <returns>The PNG path.</returns>
    public static string Write(string path, KlMatrix matrix) => Write(path, matrix.Rows, matrix.Columns, matrix.Values);

    /// <summary>Draws KL(row || column) values [rows][columns] (null: no density) to <paramref name="path"/> (PNG) and its SVG twin.</summary>
    /// <returns>The PNG path.</returns>
    public static string Write(string path, IReadOnlyList<string> rowNames, IReadOnlyList<string> columnNames, IReadOnlyList<IReadOnlyList<double?>> values)
    {
        int rows = rowNames.Count, cols = columnNames.Count;
        var grid = new double[rows, cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                grid[r, c] = values[r][c] ?? double.NaN;
        var (floor, top) = LogRange(grid.Cast<double>());

        // The heatmap holds log10 of the clipped values; row 0 of the array is the top row, as in the table.
        var logGrid = new double[rows, cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                logGrid[r, c] = double.IsFinite(grid[r, c]) ? Math.Log10(Math.Clamp(grid[r, c], floor, top)) : double.NaN;

        var plot = new Plot();
        var hm = plot.Add.Heatmap(logGrid);
        // Rectangle sets the outer edges of the cells: every row and column is exactly one unit, centred on its index.
        hm.Rectangle = new CoordinateRect(-0.5, cols - 0.5, -0.5, rows - 0.5);
        hm.RenderStrategy = new ScottPlot.Plottables.Heatmap.RenderStrategies.Rectangles(); // vector cells in the SVG
        hm.Colormap = new ScottPlot.Colormaps.Viridis();
        hm.ManualRange = new ScottPlot.Range(Math.Log10(floor), Math.Log10(top));
        hm.NaNCellColor = Colors.LightGray;
        var bar = plot.Add.ColorBar(hm);
        bar.Label = "KL (nats), log scale";
        bar.Axis.TickGenerator = new ScottPlot.TickGenerators.NumericManual(LogTicks(floor, top).Select(v => new Tick(Math.Log10(v), Format(v))).ToArray());

        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                double v = grid[r, c];
                var text = plot.Add.Text(double.IsFinite(v) ? v.ToString("0.000") : "n/a", c, rows - 1 - r);
                text.LabelFontSize = 16;
                text.LabelBold = true;
                text.LabelAlignment = Alignment.MiddleCenter;
                // Light text on the dark (low) end of viridis, dark text on the bright end.
                double position = double.IsFinite(v) ? (logGrid[r, c] - Math.Log10(floor)) / (Math.Log10(top) - Math.Log10(floor)) : 1;
                text.LabelFontColor = position < 0.6 ? Colors.White : Colors.Black;
            }
        }
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, rows).Select(r => new Tick(rows - 1 - r, rowNames[r])).ToArray());
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, cols).Select(c => new Tick(c, columnNames[c])).ToArray());
        plot.Axes.SetLimits(-0.5, cols - 0.5, -0.5, rows - 0.5);
        plot.Title($"KL(quiescent row || active column), nats\ncolour on a log scale from {Format(floor)} to {Format(top)}", 14);
        plot.XLabel("active distribution (column)");
        plot.YLabel("sampled distribution (row)");
        FigureFile.Save(plot, path, 300 + 220 * cols, 160 + 70 * rows);
        return path;
    }

    /// <summary>
    /// The colour range of a log scale over KL values: from a floor below the smallest positive value (two thirds of it,
    /// at least <see cref="MinimumFloor"/>) to the largest value (at least ten times the floor). Non-finite values are ignored.
    /// </summary>
    public static (double Floor, double Top) LogRange(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToList();
        double smallest = finite.Where(v => v > 0).DefaultIfEmpty(0.1).Min();
        double floor = Math.Max(MinimumFloor, smallest * 2 / 3);
        double top = Math.Max(finite.DefaultIfEmpty(1).Max(), 10 * floor);
        return (floor, top);
    }

    /// <summary>Ticks of a log colour bar: the 1-2-5 values inside [floor, top], with both ends.</summary>
    private static IEnumerable<double> LogTicks(double floor, double top)
    {
        var ticks = new SortedSet<double> { floor, top };
        for (int exponent = (int)Math.Floor(Math.Log10(floor)); exponent <= (int)Math.Ceiling(Math.Log10(top)); exponent++)
            foreach (double mantissa in new[] { 1.0, 2.0, 5.0 })
            {
                double v = mantissa * Math.Pow(10, exponent);
                // Keep the ends readable: drop 1-2-5 ticks that would crowd them (closer than 15% of a decade).
                if (v > floor && v < top && Math.Log10(v / floor) > 0.15 && Math.Log10(top / v) > 0.15) ticks.Add(v);
            }
        return ticks;
    }

    private static string Format(double v) => v.ToString("G2", System.Globalization.CultureInfo.InvariantCulture);
}
