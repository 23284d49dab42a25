using System.Text.Json;
using NoisyRnn.Cli;
using NoisyRnn.Experiments;
using static NoisyRnn.Tests.Cli.CliRun;

namespace NoisyRnn.Tests.Cli;

/// <summary>
/// `noisyrnn report` pools the runs' activity.npz files over seeds into explained-variance, occupancy and heading-density
/// figures, and lists the runs whose file is missing instead of failing on them.
/// </summary>
public class ReportActivityFiguresTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "noisyrnn-report-activity-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    private static string[] MissingActivity(string root)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, Experiment.SummaryFileName)));
        return doc.RootElement.GetProperty("missing_activity").EnumerateArray().Select(e => e.GetString()!).ToArray();
    }

    [Fact]
    public void SpatialReportPoolsActivityOverSeedsAndListsAMissingFile()
    {
        string root = Path.Combine(_dir, "spatial");
        var (exit, _, error) = Run("reproduce", "--preset", "smoke", "--seeds", "0-1", "--out", root, "--no-plots");
        Assert.True(exit == 0, error);
        Assert.Empty(MissingActivity(root));

        string gone = ExperimentReport.ActivityPath(Path.Combine(root, "smoke", "seed-1"), "noise-free/absolute");
        Assert.True(File.Exists(gone), gone);
        File.Delete(gone);
        (exit, var output, error) = Run("report", root);
        Assert.True(exit == 0, error);
        Assert.Equal(["smoke/seed-1/noise-free/absolute/activity.npz"], MissingActivity(root));
        Assert.Contains("No activity.npz", output);

        string figures = Path.Combine(root, "report");
        FigureAssert.PngAndSvg(Path.Combine(figures, "smoke_explained_variance.png"));
        FigureAssert.PngAndSvg(Path.Combine(figures, "smoke_occupancy.png"));
        Assert.False(File.Exists(Path.Combine(figures, "smoke_heading_densities.png"))); // a spatial configuration
        // The panels say what they pool: two seeds where both files exist, one where seed 1's file is gone.
        string svg = File.ReadAllText(Path.Combine(figures, "smoke_occupancy.svg"));
        Assert.Contains("quiescent: noise-trained/scaled", svg);
        Assert.Contains("x 2 seed(s)", svg);
        Assert.Contains("x 1 seed(s)", svg);
        Assert.Contains("of bins above the cap", svg);

        string markdown = File.ReadAllText(Path.Combine(root, "report.md"));
        Assert.Contains("![smoke_explained_variance](report/smoke_explained_variance.png)", markdown);
        Assert.Contains("![smoke_occupancy](report/smoke_occupancy.png)", markdown);
        Assert.Contains("`smoke/seed-1/noise-free/absolute/activity.npz`", markdown);
    }

    [Fact]
    public void HeadDirectionReportDrawsPooledHeadingDensitiesAndSurvivesNoActivityAtAll()
    {
        string root = Path.Combine(_dir, "hd");
        var (exit, _, error) = Run("reproduce", "--preset", "smoke", "--task", "head-direction", "--seeds", "0-1", "--out", root, "--no-plots");
        Assert.True(exit == 0, error);
        (exit, _, error) = Run("report", root);
        Assert.True(exit == 0, error);
        string figures = Path.Combine(root, "report");
        FigureAssert.PngAndSvg(Path.Combine(figures, "smoke_explained_variance.png"));
        FigureAssert.PngAndSvg(Path.Combine(figures, "smoke_heading_densities.png"));
        Assert.False(File.Exists(Path.Combine(figures, "smoke_occupancy.png")));
        Assert.Contains("![smoke_heading_densities](report/smoke_heading_densities.png)", File.ReadAllText(Path.Combine(root, "report.md")));

        // Older runs without any activity.npz: the report still aggregates the measures, lists every file and draws no
        // pooled figure.
        var files = Directory.GetFiles(root, "activity.npz", SearchOption.AllDirectories);
        Assert.Equal(8, files.Length); // 2 seeds x 4 quiescence runs
        foreach (string f in files) File.Delete(f);
        Directory.Delete(figures, recursive: true);
        (exit, _, error) = Run("report", root);
        Assert.True(exit == 0, error);
        Assert.Equal(8, MissingActivity(root).Length);
        Assert.True(File.Exists(Path.Combine(figures, "smoke_kl.png")));
        Assert.False(File.Exists(Path.Combine(figures, "smoke_heading_densities.png")));
        Assert.False(File.Exists(Path.Combine(figures, "smoke_explained_variance.png")));
    }
}
