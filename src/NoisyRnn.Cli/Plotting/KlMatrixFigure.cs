using NoisyRnn.Experiments;
using NoisyRnn.Cli.Commands;
using ScottPlot;

namespace NoisyRnn.Cli.Plotting;

/// <summary>The KL matrix of a reproduce run as a heatmap with each value written in its cell.</summary>
internal static class KlMatrixFigure
{
    public static string Write(string path, KlMatrix matrix)
    {
        int rows = matrix.Rows.Count, cols = matrix.Columns.Count;
        var grid = new double[rows, cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                grid[r, c] = matrix.Values[r][c] ?? double.NaN;

        var plot = new Plot();
        var hm = plot.Add.Heatmap(grid);
        // Cell (r, c) is centred at (c, rows - 1 - r): row 0 at the top, as in the table.
        hm.Extent = new CoordinateRect(-0.5, cols - 0.5, -0.5, rows - 0.5);
        hm.Colormap = new ScottPlot.Colormaps.Viridis();
        hm.NaNCellColor = Colors.LightGray;
        var bar = plot.Add.ColorBar(hm);
        bar.Label = "KL(row || column), nats";

        double finiteMax = grid.Cast<double>().Where(double.IsFinite).DefaultIfEmpty(0).Max();
        double finiteMin = grid.Cast<double>().Where(double.IsFinite).DefaultIfEmpty(0).Min();
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
                bool dark = double.IsFinite(v) && (finiteMax <= finiteMin || (v - finiteMin) / (finiteMax - finiteMin) < 0.6);
                text.LabelFontColor = dark ? Colors.White : Colors.Black;
            }
        }
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, rows).Select(r => new Tick(rows - 1 - r, matrix.Rows[r])).ToArray());
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, cols).Select(c => new Tick(c, matrix.Columns[c])).ToArray());
        plot.Axes.SetLimits(-0.5, cols - 0.5, -0.5, rows - 0.5);
        plot.Title("KL(quiescent row || active column), nats", 14);
        plot.XLabel("active distribution (column)");
        plot.YLabel("sampled distribution (row)");
        FigureFile.Save(plot, path, 300 + 220 * cols, 140 + 70 * rows);
        return path;
    }
}
