using System.Text.Json;
using NoisyRnn.Cli;

namespace NoisyRnn.Tests.Cli;

public class ReactivateCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "noisyrnn-reactivate-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    [Fact]
    public void ReactivatingASavedNetworkRecomputesTheReproduceRunWithTheSameSettings()
    {
        string run = Path.Combine(_dir, "run");
        Assert.Equal(0, CliApp.Run(["reproduce", "--preset", "smoke", "--seed", "3", "--no-plots", "--out", run], new StringWriter(), new StringWriter()));
        using var reproduced = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json")));
        var runs = reproduced.RootElement.GetProperty("runs").EnumerateArray().ToList();

        // Run 1: the noise-trained network with scaled noise (smoke keeps the default training std 0.01).
        string scaledOut = Path.Combine(_dir, "scaled");
        var output = new StringWriter();
        int exit = CliApp.Run(["reactivate", "--model", Path.Combine(run, "noise-trained", "model.nrnn"), "--preset", "smoke", "--seed", "3",
            "--quiescence", "scaled", "--training-std", "0.01", "--out", scaledOut], output, new StringWriter());
        Assert.Equal(0, exit);
        Assert.Contains("KL(quiescent || active)", output.ToString());
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(scaledOut, "summary.json"))))
        {
            var s = doc.RootElement;
            Assert.Equal("vanilla", s.GetProperty("model_kind").GetString());
            Assert.Equal(32, s.GetProperty("place_cells").GetInt32());
            var r = s.GetProperty("run");
            Assert.Equal("noise-trained/scaled", r.GetProperty("name").GetString());
            Assert.Equal("scaled", r.GetProperty("quiescence_mode").GetString());
            AssertSameMetrics(runs[0], r);
            // The theory checks are measured on the loaded network, not left null.
            Assert.InRange(r.GetProperty("denoising_alignment").GetDouble(), -1, 1);
            var decomposition = r.GetProperty("loss_decomposition");
            foreach (var term in decomposition.EnumerateObject())
                Assert.True(double.IsFinite(term.Value.GetDouble()), $"loss_decomposition.{term.Name} = {term.Value}");
            Assert.True(decomposition.GetProperty("noise").GetDouble() > 0, "trained with noise std 0.01");
            Assert.True(decomposition.GetProperty("total").GetDouble() <= decomposition.GetProperty("bound").GetDouble());
        }
        // The figures of reproduce for this run, as PNG and SVG.
        foreach (string figure in new[] { "trajectories", "densities", "explained_variance", "hidden_pca", "hidden_pca_density", "loss_decomposition" })
            FigureAssert.PngAndSvg(Path.Combine(scaledOut, figure + ".png"));
        Assert.Contains("figure: densities.png", output.ToString());

        // The same with the run's config.json instead of --preset and --seed.
        string configOut = Path.Combine(_dir, "from-config");
        exit = CliApp.Run(["reactivate", "--model", Path.Combine(run, "noise-trained", "model.nrnn"), "--config", Path.Combine(run, "config.json"),
            "--quiescence", "scaled", "--training-std", "0.01", "--out", configOut, "--no-plots"], new StringWriter(), new StringWriter());
        Assert.Equal(0, exit);
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(configOut, "summary.json"))))
            AssertSameMetrics(runs[0], doc.RootElement.GetProperty("run"));
        Assert.Empty(Directory.GetFiles(configOut, "*.png"));
        Assert.Empty(Directory.GetFiles(configOut, "*.svg"));

        // Run 3: the noise-free network under the noise-trained network's absolute quiescent std.
        string absoluteOut = Path.Combine(_dir, "absolute");
        string std = runs[2].GetProperty("quiescent_noise_std").GetSingle().ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        exit = CliApp.Run(["reactivate", "--model", Path.Combine(run, "noise-free", "model.nrnn"), "--preset", "smoke", "--seed", "3",
            "--quiescence", "absolute", "--quiescent-std", std, "--training-std", "0", "--out", absoluteOut, "--no-plots"], new StringWriter(), new StringWriter());
        Assert.Equal(0, exit);
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(absoluteOut, "summary.json"))))
        {
            var r = doc.RootElement.GetProperty("run");
            Assert.Equal("noise-free/absolute", r.GetProperty("name").GetString());
            AssertSameMetrics(runs[2], r);
        }

        // Bad arguments: one line, exit code 2.
        string model = Path.Combine(run, "noise-trained", "model.nrnn");
        AssertUsageError(["reactivate", "--model", model, "--preset", "smoke", "--quiescence", "absolute"], "needs --quiescent-std");
        AssertUsageError(["reactivate", "--model", model, "--preset", "smoke", "--quiescence", "sleep", "--training-std", "0.01"], "Unknown quiescence 'sleep'");
        AssertUsageError(["reactivate", "--model", model, "--preset", "smoke", "--place-cells", "64", "--training-std", "0.01"], "32 outputs");
        AssertUsageError(["reactivate", "--model", Path.Combine(_dir, "missing.nrnn"), "--training-std", "0.01"], "does not exist");
    }

    [Fact]
    public void ASavedNetworkCarriesItsSettingsAndAWrongTrainingStdIsWarnedAbout()
    {
        string run = Path.Combine(_dir, "context");
        Assert.Equal(0, CliApp.Run(["reproduce", "--preset", "smoke", "--seed", "3", "--no-plots", "--out", run], new StringWriter(), new StringWriter()));
        using var reproduced = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json")));
        var runs = reproduced.RootElement.GetProperty("runs").EnumerateArray().ToList();

        // No --preset, --seed or --training-std: the checkpoint's own context gives run 1's numbers exactly.
        string own = Path.Combine(_dir, "own");
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(0, CliApp.Run(["reactivate", "--model", Path.Combine(run, "noise-trained", "model.nrnn"), "--out", own, "--no-plots"], output, error));
        Assert.Contains("Settings from the network's checkpoint", output.ToString());
        Assert.Equal("", error.ToString());
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(own, "summary.json"))))
            AssertSameMetrics(runs[0], doc.RootElement.GetProperty("run"));
        // The same --out again: refused before anything runs, the first result left as it was.
        string first = File.ReadAllText(Path.Combine(own, "summary.json"));
        AssertUsageError(["reactivate", "--model", Path.Combine(run, "noise-free", "model.nrnn"), "--out", own, "--no-plots"], "already holds files");
        Assert.Equal(first, File.ReadAllText(Path.Combine(own, "summary.json")));

        // The README's old mistake: the noise-free network with a hand-typed 0.01 is warned about, naming both values.
        error = new StringWriter();
        Assert.Equal(0, CliApp.Run(["reactivate", "--model", Path.Combine(run, "noise-free", "model.nrnn"), "--training-std", "0.01",
            "--out", Path.Combine(_dir, "wrong"), "--no-plots"], new StringWriter(), error));
        Assert.Contains("WARNING: --training-std 0.01 overrides the network's own training std 0", error.ToString());

        // A checkpoint without a context outside a run folder cannot be guessed: a one-line error.
        string bare = Path.Combine(_dir, "bare.nrnn");
        var saved = NoisyRnn.Training.Checkpoint.Load(Path.Combine(run, "noise-trained", "model.nrnn"));
        NoisyRnn.Training.Checkpoint.Save(bare, saved.Network, saved.Step);
        AssertUsageError(["reactivate", "--model", bare], "carries no settings");
    }

    [Fact]
    public void AGruNetworkGetsTheFiguresButNoTheoryChecks()
    {
        // The loss decomposition and the alignment need the vanilla cell's drift: null, said in the log, and no
        // loss_decomposition figure; every other figure is drawn.
        string run = Path.Combine(_dir, "gru");
        Assert.Equal(0, CliApp.Run(["reproduce", "--preset", "smoke", "--model", "gru", "--seed", "2", "--no-plots", "--out", run], new StringWriter(), new StringWriter()));
        string outDir = Path.Combine(_dir, "gru-reactivate");
        var output = new StringWriter();
        Assert.Equal(0, CliApp.Run(["reactivate", "--model", Path.Combine(run, "noise-trained", "model.nrnn"), "--config", Path.Combine(run, "config.json"),
            "--training-std", "0.01", "--out", outDir], output, new StringWriter()));
        Assert.Contains("no loss decomposition or denoising alignment for the gru cell", output.ToString());
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json"))))
        {
            var r = doc.RootElement.GetProperty("run");
            Assert.Equal(JsonValueKind.Null, r.GetProperty("denoising_alignment").ValueKind);
            Assert.Equal(JsonValueKind.Null, r.GetProperty("loss_decomposition").ValueKind);
            Assert.True(double.IsFinite(r.GetProperty("kl_quiescent_to_active").GetDouble()));
        }
        foreach (string figure in new[] { "trajectories", "densities", "explained_variance", "hidden_pca", "hidden_pca_density" })
            FigureAssert.PngAndSvg(Path.Combine(outDir, figure + ".png"));
        Assert.False(File.Exists(Path.Combine(outDir, "loss_decomposition.png")));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    public void ANonPositiveBatchIsAnErrorNamingTheOption(string batch)
    {
        // Checked before the checkpoint is read; it used to surface from TrainingOptions as "BatchSize must be > 0".
        AssertUsageError(["reactivate", "--model", Path.Combine(_dir, "none.nrnn"), "--preset", "smoke", "--training-std", "0.01", "--batch", batch], "--batch");
    }

    [Fact]
    public void ATrainingStdThatMakesTheNetworkDivergeIsAOneLineError()
    {
        // The held-out evaluation with 3e38 noise is not finite: TrainingDivergedException escaped as an unhandled
        // exception with a stack trace.
        string run = Path.Combine(_dir, "diverge");
        Assert.Equal(0, CliApp.Run(["reproduce", "--preset", "smoke", "--no-plots", "--out", run], new StringWriter(), new StringWriter()));
        AssertUsageError(["reactivate", "--model", Path.Combine(run, "noise-trained", "model.nrnn"), "--preset", "smoke", "--training-std", "3e38"], "diverged");
    }

    private static void AssertSameMetrics(JsonElement expected, JsonElement actual)
    {
        foreach (string field in new[] { "quiescent_noise_std", "test_loss", "position_error_m", "kl_quiescent_to_active", "kl_standard_error",
                     "quiescent_output_variance", "active_step_distance", "quiescent_step_distance" })
        {
            Assert.Equal(expected.GetProperty(field).GetDouble(), actual.GetProperty(field).GetDouble());
        }
        // The theory checks go through the same code (RunSetup.MeasureTheory) with the same seeds: identical numbers.
        Assert.Equal(expected.GetProperty("denoising_alignment").GetDouble(), actual.GetProperty("denoising_alignment").GetDouble());
        foreach (var term in expected.GetProperty("loss_decomposition").EnumerateObject())
            Assert.Equal(term.Value.GetDouble(), actual.GetProperty("loss_decomposition").GetProperty(term.Name).GetDouble());
    }

    private static void AssertUsageError(string[] args, string message)
    {
        var error = new StringWriter();
        Assert.Equal(CliApp.UsageError, CliApp.Run(args, new StringWriter(), error));
        // Warnings about overrides may come first; the error is the last line.
        string text = error.ToString().TrimEnd().Split('\n')[^1];
        Assert.StartsWith("error: ", text);
        Assert.DoesNotContain('\n', text);
        Assert.Contains(message, text);
    }
}
