using System.Xml.Linq;
using SkiaSharp;

namespace NoisyRnn.Tests.Cli;

/// <summary>Checks that a figure written by the CLI is a real picture: a decodable PNG of plausible size whose pixels are
/// not all one colour, and beside it an SVG twin that parses and carries the axis labels and titles as text.</summary>
internal static class FigureAssert
{
    // A ScottPlot figure with axes, labels and data is tens of kilobytes; an empty canvas compresses to a few hundred bytes.
    private const long MinimumPngBytes = 5000;

    // Axis labels, tick labels and a title: even the smallest figure has more text elements than this.
    private const int MinimumSvgTexts = 8;

    public static void PngAndSvg(string pngPath)
    {
        var info = new FileInfo(pngPath);
        Assert.True(info.Exists, $"{pngPath} missing");
        Assert.True(info.Length > MinimumPngBytes, $"{pngPath} has only {info.Length} bytes");
        byte[] png = File.ReadAllBytes(pngPath);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        using (var bitmap = SKBitmap.Decode(png))
        {
            Assert.NotNull(bitmap);
            Assert.True(bitmap.Width >= 400 && bitmap.Height >= 400, $"{pngPath} is {bitmap.Width}x{bitmap.Height}");
            var colours = new HashSet<uint>();
            for (int y = 0; y < bitmap.Height; y += 3)
                for (int x = 0; x < bitmap.Width; x += 3) colours.Add((uint)bitmap.GetPixel(x, y));
            Assert.True(colours.Count > 20, $"{pngPath} has only {colours.Count} colours");
        }

        string svgPath = Path.ChangeExtension(pngPath, ".svg");
        Assert.True(File.Exists(svgPath), $"{svgPath} missing");
        var svg = XDocument.Load(svgPath);
        Assert.Equal("svg", svg.Root!.Name.LocalName);
        int texts = svg.Descendants().Count(e => e.Name.LocalName == "text");
        Assert.True(texts >= MinimumSvgTexts, $"{svgPath} has only {texts} text elements");
    }
}
