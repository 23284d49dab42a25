using ScottPlot;
using SkiaSharp;

namespace NoisyRnn.Cli.Plotting;

/// <summary>
/// Writes a figure as PNG (for viewing) and, beside it with the same name, as SVG (vector, for papers and editing).
/// Heatmaps stay raster images inside the SVG; axes, lines, markers and text are vector.
/// </summary>
internal static class FigureFile
{
    /// <summary>Saves <paramref name="plot"/> to <paramref name="pngPath"/> and to the same path with extension .svg.</summary>
    /// <returns>The PNG path.</returns>
    public static string Save(Plot plot, string pngPath, int width, int height)
    {
        plot.SavePng(pngPath, width, height);
        plot.SaveSvg(SvgPath(pngPath), width, height);
        return pngPath;
    }

    /// <summary>Saves <paramref name="multiplot"/> to <paramref name="pngPath"/> and, rendered on Skia's SVG canvas,
    /// to the same path with extension .svg (ScottPlot 5.1 has no SaveSvg for a multiplot).</summary>
    /// <returns>The PNG path.</returns>
    public static string Save(Multiplot multiplot, string pngPath, int width, int height)
    {
        multiplot.SavePng(pngPath, width, height);
        using (var stream = File.Create(SvgPath(pngPath)))
        using (var canvas = SKSvgCanvas.Create(new SKRect(0, 0, width, height), stream))
        {
            canvas.Clear(SKColors.White); // the SVG canvas starts with no background; the PNG's is white
            multiplot.Render(canvas, new PixelRect(width, height));
        }
        return pngPath;
    }

    /// <summary>The SVG twin of a PNG path.</summary>
    public static string SvgPath(string pngPath) => Path.ChangeExtension(pngPath, ".svg");
}
