using NoisyRnn.Experiments;
using System.Text.Json;
using NoisyRnn.Analysis;
using NoisyRnn.Cli;
using NoisyRnn.Cli.Commands;
using NoisyRnn.Models;
using NoisyRnn.Tasks;
using static NoisyRnn.Tests.Cli.CliRun;

namespace NoisyRnn.Tests.Cli;

/// <summary>The random-network baseline and KL matrix of reproduce, its extra figures, and the compare command.</summary>
public class BaselineAndCompareTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "noisyrnn-compare-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    private static void AssertPng(string path)
    {
        var info = new FileInfo(path);
        Assert.True(info.Exists && info.Length > 1000, $"{path} missing or empty");
        byte[] head = File.ReadAllBytes(path)[..4];
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, head);
    }

    [Fact]
    public void ReproduceReportsTheRandomBaselineAndAKlMatrixConsistentWithTheRuns()
    {
        string a = Path.Combine(_dir, "s4");
        var (exit, _, error) = Run("reproduce", "--preset", "smoke", "--seed", "4", "--out", a);
        Assert.True(exit == 0, error);

        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(a, "summary.json")));
        var s = doc.RootElement;
        // Existing fields stay.
        Assert.True(double.IsFinite(s.GetProperty("kl_uniform_to_active").GetDouble()));
        var baseline = s.GetProperty("kl_random_network_to_active");
        foreach (string network in new[] { "noise-trained", "noise-free" })
        {
            var v = baseline.GetProperty(network);
            if (v.ValueKind == JsonValueKind.Null)
                Assert.False(string.IsNullOrWhiteSpace(s.GetProperty("kl_random_network_note").GetString()), "a null baseline needs a note");
            else
                Assert.True(double.IsFinite(v.GetDouble()) && v.GetDouble() >= 0, $"baseline KL to {network}: {v}");
        }

        var matrix = s.GetProperty("kl_matrix");
        var rows = matrix.GetProperty("rows").EnumerateArray().Select(r => r.GetString()).ToList();
        var columns = matrix.GetProperty("columns").EnumerateArray().Select(c => c.GetString()).ToList();
        var values = matrix.GetProperty("values").EnumerateArray().Select(r => r.EnumerateArray().ToList()).ToList();
        Assert.Equal(["noise-trained active", "noise-free active"], columns);
        Assert.Equal(["noise-trained/scaled", "noise-free/scaled", "noise-free/absolute", "noise-trained/same", "random network", "uniform over the arena"], rows);
        Assert.All(values, r => Assert.Equal(columns.Count, r.Count));
        foreach (var run in s.GetProperty("runs").EnumerateArray())
        {
            int row = rows.IndexOf(run.GetProperty("name").GetString());
            int column = columns.IndexOf(run.GetProperty("network").GetString() + " active");
            var expected = run.GetProperty("kl_quiescent_to_active");
            var entry = values[row][column];
            Assert.Equal(expected.ValueKind, entry.ValueKind);
            if (expected.ValueKind == JsonValueKind.Number) Assert.Equal(expected.GetDouble(), entry.GetDouble());
        }
        // The random-network row is the summary's baseline; the uniform row is each network's kl_uniform_to_active.
        Assert.Equal(baseline.GetProperty("noise-free").ToString(), values[4][1].ToString());
        var networks = s.GetProperty("networks").EnumerateArray().ToList();
        for (int c = 0; c < 2; c++)
            Assert.Equal(networks[c].GetProperty("kl_uniform_to_active").GetDouble(), values[5][c].GetDouble());

        AssertPng(Path.Combine(a, "kl_matrix.png"));
        AssertPng(Path.Combine(a, "hidden_pca_density.png"));
    }

    [Fact]
    public void CompareSummarisesTwoSeedsAndRejectsAFolderWithoutSummary()
    {
        string a = Path.Combine(_dir, "s0"), b = Path.Combine(_dir, "s1"), outDir = Path.Combine(_dir, "cmp");
        Assert.Equal(0, Run("reproduce", "--preset", "smoke", "--seed", "0", "--no-plots", "--out", a).Exit);
        Assert.Equal(0, Run("reproduce", "--preset", "smoke", "--seed", "1", "--no-plots", "--out", b).Exit);

        var (exit, _, error) = Run("compare", a, b, "--out", outDir);
        Assert.True(exit == 0, error);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "compare.json")));
        var c = doc.RootElement;
        Assert.Equal([0UL, 1UL], c.GetProperty("seeds").EnumerateArray().Select(x => x.GetUInt64()).ToArray());
        var runs = c.GetProperty("runs");
        Assert.Equal(["noise-trained/scaled", "noise-free/scaled", "noise-free/absolute", "noise-trained/same"], runs.EnumerateObject().Select(p => p.Name).ToArray());
        var variance = runs.GetProperty("noise-trained/scaled").GetProperty("quiescent_output_variance");
        var v = variance.GetProperty("values").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        Assert.Equal(2, v.Length);
        Assert.Equal((v[0] + v[1]) / 2, variance.GetProperty("mean").GetDouble(), 12);
        Assert.Equal(Math.Abs(v[0] - v[1]) / Math.Sqrt(2), variance.GetProperty("std").GetDouble(), 12);
        foreach (string f in new[] { "compare_variance.png", "compare_step_distance.png", "compare_kl.png" })
            AssertPng(Path.Combine(outDir, f));

        string empty = Path.Combine(_dir, "empty");
        Directory.CreateDirectory(empty);
        var (bad, _, message) = Run("compare", a, empty, "--out", outDir);
        Assert.Equal(2, bad);
        string line = Assert.Single(message.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error:", line);
        Assert.Contains("summary.json", line);
    }

    [Fact]
    public void ABaselineNetworkWithDegenerateOutputsGivesNoDensityAndANote()
    {
        // All-zero weights: every output, hence every decoded position, is the same point, which has no KDE.
        var cells = PlaceCells.CreateRandom(8, 0.3, 2.2, 2.2, 1);
        var task = new SpatialNavigationTask(new SpatialNavigationOptions { SequenceLength = 3 }, cells);
        var model = new VanillaRnn(new VanillaRnnOptions(task.InputSize, 6, cells.Count, cells.Count, Activation.Relu, 0.1f, 0.02f, UseBias: false));
        var rng = new Random(3);
        var active = new GaussianKde(Enumerable.Range(0, 200).Select(_ => rng.NextDouble() - 0.5).ToArray(), 2);
        var options = new ReactivationOptions { KlSteps = 20, VarianceSteps = 22, VarianceShift = 10, StepDistanceSteps = 5, KlSamples = 50, Seed = 1 };
        const int batch = 4;
        var (density, note) = ExperimentRunner.BaselineDensity(model, task, new float[batch * cells.Count], batch, active, 0.01f, options);
        Assert.Null(density);
        Assert.StartsWith("random network: no quiescent density", note);
    }
}
