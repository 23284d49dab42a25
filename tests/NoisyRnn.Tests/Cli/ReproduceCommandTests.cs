using System.CommandLine;
using System.Text.Json;
using NoisyRnn.Cli.Commands;

namespace NoisyRnn.Tests.Cli;

public class ReproduceCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "noisyrnn-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    [Fact]
    public void SmokePresetRunsEveryStageAndWritesTheSummaryWeightsAndFigures()
    {
        var root = new RootCommand { ReproduceCommand.Create() };
        int exit = root.Parse(["reproduce", "--preset", "smoke", "--out", _dir, "--seed", "3"]).Invoke();
        Assert.Equal(0, exit);

        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "summary.json")));
        var s = doc.RootElement;
        Assert.Equal("smoke", s.GetProperty("preset").GetString());
        Assert.True(s.GetProperty("wall_seconds").GetDouble() > 0);
        Assert.True(double.IsFinite(s.GetProperty("kl_uniform_to_active").GetDouble()));
        var runs = s.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(4, runs.Count);
        string[] required = ["name", "noise_std", "biased", "quiescence_mode", "quiescent_noise_std", "test_loss",
            "position_error_m", "kl_quiescent_to_active", "quiescent_output_variance", "active_step_distance", "quiescent_step_distance"];
        foreach (var run in runs)
            foreach (string field in required)
                Assert.True(run.TryGetProperty(field, out _), $"run {run.GetProperty("name")} lacks {field}");

        // Theory fields: the alignment is a cosine, the decomposition's terms are non-negative and the noise-free
        // network has no noise term.
        foreach (var run in runs)
        {
            double cosine = run.GetProperty("denoising_alignment").GetDouble();
            Assert.InRange(cosine, -1, 1);
            var d = run.GetProperty("loss_decomposition");
            foreach (string term in new[] { "denoise", "integrate", "noise", "total" })
                Assert.True(d.GetProperty(term).GetDouble() >= 0, $"{term} of {run.GetProperty("name")}");
        }
        Assert.True(runs[0].GetProperty("loss_decomposition").GetProperty("noise").GetDouble() > 0);
        Assert.Equal(0.0, runs[1].GetProperty("loss_decomposition").GetProperty("noise").GetDouble());

        // The three quiescence settings of the paper's contrast, then the noise-trained network at its own noise (p^2).
        Assert.Equal("noise-trained/scaled", runs[0].GetProperty("name").GetString());
        Assert.Equal("noise-free/scaled", runs[1].GetProperty("name").GetString());
        Assert.Equal("noise-free/absolute", runs[2].GetProperty("name").GetString());
        Assert.Equal("noise-trained/same", runs[3].GetProperty("name").GetString());
        Assert.Equal(runs[3].GetProperty("noise_std").GetDouble(), runs[3].GetProperty("quiescent_noise_std").GetDouble(), 6);
        Assert.Equal(2.0, runs[3].GetProperty("density_exponent").GetProperty("predicted").GetDouble(), 9);
        Assert.Equal(0.0, runs[1].GetProperty("quiescent_noise_std").GetDouble());
        Assert.Equal(runs[0].GetProperty("quiescent_noise_std").GetDouble(), runs[2].GetProperty("quiescent_noise_std").GetDouble(), 6);
        // With zero noise a deterministic network's decoded position can only move if its autonomous drift moves it;
        // the metric must still be defined and non-negative.
        Assert.True(runs[1].GetProperty("quiescent_output_variance").GetDouble() >= 0);

        foreach (string file in new[] { "noise-trained/model.nrnn", "noise-free/model.nrnn", "trajectories.png", "densities.png", "learning_curves.png",
                     "explained_variance.png", "hidden_pca.png", "loss_decomposition.png" })
        {
            var info = new FileInfo(Path.Combine(_dir, file));
            Assert.True(info.Exists && info.Length > 1000, $"{file} missing or empty");
        }
        // Every figure is a real picture with an SVG twin.
        foreach (string figure in new[] { "trajectories", "densities", "learning_curves", "explained_variance", "hidden_pca", "hidden_pca_density",
                     "loss_decomposition", "kl_matrix" })
            FigureAssert.PngAndSvg(Path.Combine(_dir, figure + ".png"));
    }

    [Fact]
    public void HeadDirectionWithAGruRunsEveryStage()
    {
        var root = new RootCommand { ReproduceCommand.Create() };
        int exit = root.Parse(["reproduce", "--preset", "smoke", "--task", "head-direction", "--model", "gru", "--biased", "--out", _dir, "--no-plots"]).Invoke();
        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "summary.json")));
        var s = doc.RootElement;
        Assert.Equal("head-direction", s.GetProperty("task").GetString());
        Assert.Equal("gru", s.GetProperty("model").GetString());
        Assert.True(double.IsFinite(s.GetProperty("kl_uniform_to_active").GetDouble()));
        var runs = s.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(4, runs.Count);
        foreach (var run in runs)
        {
            Assert.True(run.GetProperty("biased").GetBoolean());
            Assert.Equal("rad", run.GetProperty("decoding_unit").GetString());
            Assert.Equal(JsonValueKind.Null, run.GetProperty("position_error_m").ValueKind);
            Assert.InRange(run.GetProperty("decoding_error").GetDouble(), 0, Math.PI);
        }
        Assert.True(File.Exists(Path.Combine(_dir, "noise-trained", "model.nrnn")));
        Assert.Equal("gru", NoisyRnn.Training.Checkpoint.Load(Path.Combine(_dir, "noise-trained", "model.nrnn")).Network.Kind);
    }

    [Fact]
    public void HeadDirectionRunDrawsHeadingFiguresAndReportsHiddenStateReactivation()
    {
        var root = new RootCommand { ReproduceCommand.Create() };
        Assert.Equal(0, root.Parse(["reproduce", "--preset", "smoke", "--task", "head-direction", "--out", _dir]).Invoke());
        foreach (string file in new[] { "hd_headings.png", "hd_densities.png", "kl_matrix.png" })
        {
            var info = new FileInfo(Path.Combine(_dir, file));
            Assert.True(info.Exists && info.Length > 1000, $"{file} missing or empty");
        }
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "summary.json")));
        foreach (var run in doc.RootElement.GetProperty("runs").EnumerateArray())
        {
            var hidden = run.GetProperty("hidden_state");
            Assert.Equal(3, hidden.GetProperty("components").GetInt32());
            Assert.True(hidden.GetProperty("active_nearest_distance").GetDouble() >= 0);
            Assert.True(hidden.GetProperty("nearest_distance_ratio").GetDouble() >= 0);
            var kl = hidden.GetProperty("pc_kl_quiescent_to_active");
            Assert.True(kl.ValueKind == JsonValueKind.Null ? hidden.GetProperty("pc_kl_note").GetString() is not null : double.IsFinite(kl.GetDouble()));
        }
    }

    [Fact]
    public void UnknownPresetIsAClearErrorNotACrash()
    {
        var root = new RootCommand { ReproduceCommand.Create() };
        var err = new StringWriter();
        var previous = Console.Error;
        Console.SetError(err);
        try
        {
            int exit = root.Parse(["reproduce", "--preset", "huge", "--out", _dir]).Invoke();
            Assert.Equal(2, exit);
        }
        finally
        {
            Console.SetError(previous);
        }
        Assert.Contains("unknown preset 'huge'", err.ToString());
    }
}
