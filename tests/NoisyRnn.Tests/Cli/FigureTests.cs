using System.Globalization;
using System.Xml.Linq;
using NoisyRnn.Analysis;
using NoisyRnn.Cli.Plotting;
using NoisyRnn.Tasks;
using NoisyRnn.Training;

namespace NoisyRnn.Tests.Cli;

/// <summary>Figures that compare (issue 14): the KL matrix, the shared density scale, hidden states that leave the waking
/// range, and the polar heading densities. Each figure is drawn from synthetic data and read back from its SVG twin.</summary>
public class FigureTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "noisyrnn-figures-" + Guid.NewGuid().ToString("N"));

    public FigureTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    // SVG coordinates are written with about six significant digits.
    private const double SvgPixelTolerance = 0.01;

    [Fact]
    public void KlMatrixCellsAreEqualVectorRectanglesWithDistinctLogColours()
    {
        // The default run's values: the contrast of interest (0.102 against 0.152) beside a 1.02 random-network row.
        string[] rows = ["noise-trained/scaled", "noise-free/scaled", "noise-free/absolute", "random network", "uniform over the arena"];
        string[] cols = ["noise-trained active", "noise-free active"];
        double?[][] values = [[0.102, 0.40], [0.413, 0.35], [0.152, 0.30], [1.02, 1.3], [0.17, 0.9]];
        string png = KlMatrixFigure.Write(Path.Combine(_dir, "kl_matrix.png"), rows, cols, values);
        FigureAssert.PngAndSvg(png);

        var svg = XDocument.Load(FigureFile.SvgPath(png));
        // No heat map pixels embedded as an image (a viewer would blur them): only the colour bar's 1-pixel-wide gradient.
        foreach (var image in svg.Descendants().Where(e => e.Name.LocalName == "image"))
            Assert.Equal("1", image.Attribute("width")?.Value);
        // One filled rectangle per cell, all of one width and one height (rows used to be 50/100/101/100/50 px).
        var cells = svg.Descendants().Where(e => e.Name.LocalName == "rect" && e.Attribute("fill") is { } f && f.Value.StartsWith('#')
                && e.Attribute("height") is not null).Select(e => (Fill: e.Attribute("fill")!.Value, W: Number(e, "width"), H: Number(e, "height"),
                X: Number(e, "x"), Y: Number(e, "y")))
            .ToList();
        Assert.Equal(rows.Length * cols.Length, cells.Count);
        Assert.All(cells, c => Assert.Equal(cells[0].W, c.W, SvgPixelTolerance));
        Assert.All(cells, c => Assert.Equal(cells[0].H, c.H, SvgPixelTolerance));
        // Cells are drawn row by row from the top: 0.102 is (row 0, column 0), 0.152 is (row 2, column 0).
        var ordered = cells.OrderBy(c => c.Y).ThenBy(c => c.X).ToList();
        Assert.NotEqual(ordered[0].Fill, ordered[2 * cols.Length].Fill);

        // On the log scale 0.102 and 0.152 are at least a tenth of the colour range apart (on the old linear scale up to
        // 1.3 they were 4% apart).
        var (floor, top) = KlMatrixFigure.LogRange(values.SelectMany(r => r).Select(v => v ?? double.NaN));
        double Position(double v) => Math.Log10(v / floor) / Math.Log10(top / floor);
        Assert.True(Position(0.152) - Position(0.102) > 0.1, $"0.102 and 0.152 are {Position(0.152) - Position(0.102):0.000} apart");
    }

    [Fact]
    public void KlLogRangeCoversNegativeAndMissingValues()
    {
        // The Monte Carlo estimator can return small negative values; they take the bottom colour, they do not break the scale.
        var (floor, top) = KlMatrixFigure.LogRange([-0.01, 0.05, double.NaN, 2.0]);
        Assert.Equal(0.05 * 2 / 3, floor, 12);
        Assert.Equal(2.0, top);
        var (f2, t2) = KlMatrixFigure.LogRange([double.NaN]);
        Assert.True(f2 > 0 && t2 >= 10 * f2);
    }

    [Fact]
    public void DensityPanelsShareOneColourScaleAndSaySo()
    {
        var task = new SpatialNavigationOptions();
        // Active positions spread over the arena; a quiescent run concentrated near one point (a much higher peak).
        var rng = new Random(1);
        float[] active = Enumerable.Range(0, 2 * 400).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        float[] quiet = Enumerable.Range(0, 2 * 400).Select(_ => (float)(0.05 * (rng.NextDouble() - 0.5))).ToArray();
        var activeKde = new GaussianKde(Array.ConvertAll(active, x => (double)x), 2);
        var quietKde = new GaussianKde(Array.ConvertAll(quiet, x => (double)x), 2);
        var report = new QuiescentReport(0.01f, null, null, 0, 0, quiet, 4, 100) { QuiescentEstimate = quietKde };
        IReadOnlyList<TaskEvaluation> curve = [new(10, 1, 0.5, 0.3), new(20, 0.5, 0.2, 0.1)];
        var files = ReproduceFigures.Write(_dir, task, active, activeKde, "noise-trained", 4, 100, [("noise-trained/scaled", report)], 50,
            [("noise-trained", curve), ("noise-free", curve)]);
        foreach (string file in files) FigureAssert.PngAndSvg(file);

        var texts = Texts(Path.Combine(_dir, "densities.png"));
        Assert.Equal(2, texts.Count(t => t.Contains("colour scale shared by all panels")));
        // The colour bars of both panels end at the same value: the quiescent peak, far above the active density.
        double peak = quietKde.Evaluate([0.0, 0.0])[0];
        Assert.True(peak > 10 * activeKde.Evaluate([0.0, 0.0])[0]);
        var bars = texts.Select(t => double.TryParse(t.Replace(",", ""), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : double.NaN)
            .Where(v => v > 2).ToList(); // arena ticks stay within ±1.4 m; colour-bar ticks of both panels reach far beyond
        Assert.True(bars.Count >= 2, "both colour bars have ticks above the arena's");
        Assert.True(bars.Max() <= peak && bars.Max() > 0.5 * peak);
        Assert.Equal(2, bars.Count(v => v == bars.Max()));
    }

    [Fact]
    public void SharedMaximumIsTheLargestFiniteValue()
    {
        Assert.Equal(3.0, ReproduceFigures.SharedMaximum([new double[,] { { 1, 2 } }, null, new double[,] { { double.NaN, 3 } }]));
        Assert.Equal(1.0, ReproduceFigures.SharedMaximum([null]));
    }

    [Fact]
    public void HiddenStateLimitsCoverStatesThatLeaveTheWakingRange()
    {
        var waking = (-1.0, 1.0, -1.0, 1.0);
        // A run that wanders to x = 4: within the zoom-out limit, the axes reach it.
        var limits = TheoryFigures.PanelLimits(waking, [(-1.0, 4.0, -0.5, 0.5)]);
        Assert.True(limits.XMax >= 4 && limits.XMin <= -1 && limits.YMin <= -1 && limits.YMax >= 1);
        // A run that diverges to 1e3 is clipped at MaxZoomOut times the waking range and counted.
        var far = TheoryFigures.PanelLimits(waking, [(-1.0, 1e3, -1.0, 1.0)]);
        Assert.Equal(TheoryFigures.MaxZoomOut, far.XMax, 9);
        double[] scores = [0, 0, 0.5, 0.5, 1e3, 0, double.NaN, 0];
        Assert.Equal(0.5, TheoryFigures.FractionOutside(scores, waking));
        Assert.Equal(0.5, TheoryFigures.FractionOutside(scores, far));
    }

    [Fact]
    public void HiddenPcaDensityTitlesReportStatesOutsideTheWakingRange()
    {
        var rng = new Random(2);
        const int n = 300, dims = 4;
        float[] active = Enumerable.Range(0, n * dims).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        // Quiescent states: a quarter of them three times farther out than any waking state.
        float[] quiet = Enumerable.Range(0, n * dims).Select(i => (float)((rng.NextDouble() - 0.5) * (i / dims % 4 == 0 ? 6 : 1))).ToArray();
        var pca = Pca.Fit(active, n, dims);
        TheoryFigures.Write(_dir, [("noise-free", pca, null)], [new HiddenRun("noise-free/absolute", "noise-free", active, quiet, pca)]);
        string png = Path.Combine(_dir, "hidden_pca_density.png");
        FigureAssert.PngAndSvg(png);
        var texts = Texts(png);
        Assert.Contains(texts, t => t.StartsWith("0% of states outside the waking range"));
        Assert.Contains(texts, t => t.Contains("% of states outside the waking range") && !t.StartsWith("0%"));
    }

    [Fact]
    public void HeadingDensitiesAreLabelledAsAPolarPlot()
    {
        var rng = new Random(3);
        const int batch = 4, steps = 200;
        float[] Headings() => Enumerable.Range(0, batch * steps).Select(_ => (float)(rng.NextDouble() * 2 * Math.PI - Math.PI)).ToArray();
        var active = new HeadDirectionFigures.ActiveHeadings("noise-trained", Headings(), Headings(), batch, steps);
        var report = new QuiescentReport(0.1f, null, null, 0, 0, Headings(), batch, steps);
        var files = HeadDirectionFigures.Write(_dir, 0.5, [active], [("noise-trained/scaled", "noise-trained", report)]);
        string densities = files.Single(f => f.EndsWith("hd_densities.png"));
        FigureAssert.PngAndSvg(densities);
        var texts = Texts(densities);
        Assert.Contains(texts, t => t.Contains("(polar)"));
        foreach (string angle in new[] { "0°", "45°", "90°", "-90°", "±180°" }) Assert.Contains(angle, texts);
        Assert.Contains("0.16", texts); // the uniform density's circle is labelled with its value
        // No Cartesian tick numbers (the old panel had -3 ... 3 on both axes).
        foreach (string tick in new[] { "-3", "-2", "-1", "1", "2", "3" }) Assert.DoesNotContain(tick, texts);
        Assert.DoesNotContain(texts, t => t.Contains("heading (radius"));
    }

    private static double Number(XElement e, string attribute) =>
        double.Parse(e.Attribute(attribute)!.Value, CultureInfo.InvariantCulture);

    /// <summary>The text of every text element of a figure's SVG twin, trimmed.</summary>
    private static List<string> Texts(string pngPath) =>
        XDocument.Load(FigureFile.SvgPath(pngPath)).Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value.Trim()).ToList();
}
