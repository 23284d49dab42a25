using NoisyRnn.Tasks;
using ScottPlot;

namespace NoisyRnn.Cli.Plotting;

/// <summary>The plot scaffolding every figure writer shares: a row of panels and an empty arena panel.</summary>
internal static class PlotLayout
{
    /// <summary>A one-row multiplot without the empty plot a new Multiplot starts with.</summary>
    public static Multiplot NewRow()
    {
        var multi = new Multiplot();
        multi.Subplots.RemoveAt(0);
        multi.Layout = new ScottPlot.MultiplotLayouts.Columns();
        return multi;
    }

    /// <summary>An empty panel of the spatial task's box (m, square units, 5% margin) with a title.</summary>
    public static Plot Arena(SpatialNavigationOptions task, string title)
    {
        var plot = new Plot();
        plot.Title(title, 13);
        plot.XLabel("x (m)");
        plot.YLabel("y (m)");
        double w = task.BoxWidth / 2, h = task.BoxHeight / 2;
        plot.Axes.SetLimits(-w * 1.05, w * 1.05, -h * 1.05, h * 1.05);
        plot.Axes.SquareUnits();
        return plot;
    }
}
