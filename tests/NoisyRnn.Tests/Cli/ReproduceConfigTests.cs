using NoisyRnn.Experiments;
using System.Text.Json;
using NoisyRnn.Cli;
using NoisyRnn.Cli.Commands;
using static NoisyRnn.Tests.Cli.CliRun;

namespace NoisyRnn.Tests.Cli;

/// <summary>The JSON config of `reproduce`: presets, round trips, validation naming the field, --config with overrides.</summary>
public class ReproduceConfigTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "noisyrnn-config-" + Guid.NewGuid().ToString("N"));

    public ReproduceConfigTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    public static TheoryData<string> PresetNames() => new(ExperimentPresets.All.Select(p => p.Name));

    [Theory]
    [MemberData(nameof(PresetNames))]
    public void EveryPresetValidatesAndRoundTripsThroughJson(string name)
    {
        var preset = ExperimentPresets.Find(name);
        ExperimentConfigJson.Validate(preset);
        string json = ExperimentConfigJson.ToJson(preset);
        Assert.Equal(preset, ExperimentConfigJson.FromJson(json, "test"));
        Assert.Contains("\"hidden_size\"", json);
        Assert.True(ExperimentPresets.Descriptions.ContainsKey(name), $"{name} has no description");
    }

    [Fact]
    public void QuickDefaultsAreUnchanged()
    {
        var q = ExperimentPresets.Quick;
        Assert.Equal(("spatial", "vanilla", "relu", false, false), (q.Task, q.Model, q.Activation, q.Bias, q.Biased));
        Assert.Equal((128, 512, 200, 100, 1000, 100), (q.HiddenSize, q.PlaceCells, q.BatchSize, q.SequenceLength, q.Steps, q.EvaluateEvery));
        Assert.Equal((1e-3, 0.0, 0.01f, 0.2f, 1f, 0UL), (q.LearningRate, q.WeightDecay, q.NoiseStd, q.Dt, q.TimeConstant, q.Seed));
    }

    [Fact]
    public void PaperPresetsHaveThePublishedValues()
    {
        foreach (string name in new[] { "paper-spatial-unbiased", "paper-spatial-biased", "paper-spatial-gru-unbiased", "paper-spatial-gru-biased" })
        {
            var p = ExperimentPresets.Find(name);
            Assert.Equal(("spatial", 512, 512, 0.2, 200, 100, 2500), (p.Task, p.HiddenSize, p.PlaceCells, p.PlaceCellSigma, p.BatchSize, p.SequenceLength, p.Steps));
            Assert.Equal((0.2f, 1f, 0.01f, 1e-3, false), (p.Dt, p.TimeConstant, p.NoiseStd, p.LearningRate, p.Bias));
            Assert.Equal(name.EndsWith("-biased", StringComparison.Ordinal), p.Biased);
            Assert.Equal(name.Contains("gru", StringComparison.Ordinal) ? ("gru", "tanh") : ("vanilla", "relu"), (p.Model, p.Activation));
        }
        foreach (string name in new[] { "paper-hd-unbiased", "paper-hd-biased" })
        {
            var p = ExperimentPresets.Find(name);
            Assert.Equal(("head-direction", "vanilla", 128, 512, 200, 100, 20000), (p.Task, p.Model, p.HiddenSize, p.HdCells, p.BatchSize, p.SequenceLength, p.Steps));
            Assert.Equal((0.5f, 0.1f, Math.PI / 6), (p.Dt, p.NoiseStd, p.HdSpread));
            Assert.Equal(name == "paper-hd-biased", p.Biased);
        }
    }

    [Theory]
    [InlineData("{\"name\":\"x\",\"hidden_size\":-5}", "config.hidden_size must be > 0; got -5")]
    [InlineData("{\"name\":\"x\",\"task\":\"maze\"}", "config.task must be one of")]
    [InlineData("{\"name\":\"x\",\"weight_decay\":-0.1}", "config.weight_decay must be finite and >= 0")]
    [InlineData("{\"name\":\"x\",\"variance_shift\":5000}", "config.variance_shift")]
    [InlineData("{\"name\":\"x\",\"hiden_size\":64}", "unknown field config.hiden_size")]
    [InlineData("{\"name\":\"x\",\"hidden_size\":\"big\"}", "config.hidden_size has the wrong type")]
    [InlineData("{\"name\":\"x\",\"biased\":1}", "config.biased has the wrong type")]
    [InlineData("{\"name\":\"x\",\"noise_distribution\":\"Cauchy\"}", "config.noise_distribution")]
    [InlineData("{\"name\":\"x\",\"bias_layout\":\"AllLayers\"}", "config.bias_layout AllLayers places biases, so it needs \"bias\": true")]
    [InlineData("{\"name\":\"x\",\"bias\":true,\"bias_layout\":\"Everything\"}", "config.bias_layout has the wrong type (line 1); expected one of RecurrentReadout, AllLayers")]
    [InlineData("{\"hidden_size\":64}", "config.name is missing")]
    [InlineData("{\"name\":\"x\"", "invalid JSON")]
    [InlineData("{\"name\":\"x\",\"place_cell_tuning\":\"mexican-hat\"}", "config.place_cell_tuning must be one of gaussian, dog")]
    [InlineData("{\"name\":\"x\",\"place_cell_tuning\":\"dog\",\"surround_scale\":0.5}", "config.surround_scale must be finite and > 1")]
    // One step has no step distance (the metrics need two states); the error must come before training, naming the field.
    [InlineData("{\"name\":\"x\",\"sequence_length\":1}", "config.sequence_length must be at least 2")]
    // A width whose 2 sigma^2 underflows is the width's fault, not the (default) surround scale's.
    [InlineData("{\"name\":\"x\",\"place_cell_sigma\":1e-160}", "config.place_cell_sigma")]
    public void BadConfigsAreOneLineErrorsNamingTheField(string json, string expected)
    {
        string path = Path.Combine(_dir, "bad.json");
        File.WriteAllText(path, json);
        var (exit, _, error) = Run("reproduce", "--config", path, "--no-plots", "--out", Path.Combine(_dir, "never"));
        Assert.Equal(2, exit);
        string[] lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(expected, lines[0]);
        Assert.False(Directory.Exists(Path.Combine(_dir, "never")));
    }

    [Fact]
    public void AFileThatIsNotJsonGivesAShortError()
    {
        // A CSV passed as --config: System.Text.Json quotes the rest of the buffer in its message ("'t,x,y 0,0,0 ...' is
        // an invalid JSON literal"), which made a 20 000-character error line.
        string path = Path.Combine(_dir, "data.csv");
        File.WriteAllText(path, "t,x,y\n" + string.Concat(Enumerable.Range(0, 2000).Select(i => $"{i},0.1,0.2\n")));
        var (exit, _, error) = Run("reproduce", "--config", path, "--no-plots", "--out", Path.Combine(_dir, "never"));
        Assert.Equal(2, exit);
        string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: config", line);
        Assert.Contains("invalid JSON", line);
        Assert.True(line.Length < 400, $"{line.Length} characters");
    }

    [Theory]
    [InlineData("--surround-scale", "3")]
    [InlineData("--surround-scale", "3", "--place-cell-tuning", "gaussian")]
    [InlineData("--place-cell-tuning", "dog", "--task", "hd")]
    public void PlaceCellOptionsThatWouldBeIgnoredAreErrors(params string[] options)
    {
        // --surround-scale without DoG tuning, or a place-cell tuning for the head-direction task, used to be accepted and
        // silently have no effect (the config even recorded the unused value).
        var (exit, _, error) = Run(["reproduce", "--preset", "smoke", .. options, "--write-config", Path.Combine(_dir, "o.json")]);
        Assert.Equal(2, exit);
        string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: --", line);
        Assert.False(File.Exists(Path.Combine(_dir, "o.json")));
        Assert.Equal(0, Run("reproduce", "--preset", "smoke", "--place-cell-tuning", "dog", "--surround-scale", "3", "--write-config", Path.Combine(_dir, "ok.json")).Exit);
    }

    [Fact]
    public void ConfigAndPresetTogetherOrAMissingConfigAreErrors()
    {
        Assert.Equal(2, Run("reproduce", "--config", Path.Combine(_dir, "none.json"), "--write-config", Path.Combine(_dir, "o.json")).Exit);
        string path = Path.Combine(_dir, "c.json");
        Assert.Equal(0, Run("reproduce", "--preset", "smoke", "--write-config", path).Exit);
        var (exit, _, error) = Run("reproduce", "--config", path, "--preset", "quick", "--write-config", Path.Combine(_dir, "o.json"));
        Assert.Equal(2, exit);
        Assert.Contains("--config and --preset", error);
    }

    [Fact]
    public void CommandLineOptionsOverrideTheConfigFile()
    {
        string path = Path.Combine(_dir, "c.json");
        File.WriteAllText(path, ExperimentConfigJson.ToJson(ExperimentPresets.Find("paper-hd-biased") with { Name = "mine", Seed = 5 }));
        string resolved = Path.Combine(_dir, "resolved.json");
        var (exit, _, error) = Run("reproduce", "--config", path, "--steps", "7", "--hidden", "32", "--model", "gru", "--write-config", resolved);
        Assert.True(exit == 0, error);
        var p = ExperimentConfigJson.Load(resolved);
        // Overridden fields change; the rest of the file is kept (task, biased, HD sizes and seed).
        Assert.Equal(ExperimentPresets.Find("paper-hd-biased") with { Name = "mine", Seed = 5, Steps = 7, HiddenSize = 32, Model = "gru", Activation = "tanh" }, p);
    }

    [Fact]
    public void HeadDirectionOverrideOfAPaperPresetUsesThePaperHeadDirectionSizes()
    {
        var hd = ExperimentPresets.Find("paper-spatial-gru-biased").ForHeadDirection();
        Assert.Equal(("head-direction", "gru", true, 128, 512, 0.5f, 0.1f, 20000), (hd.Task, hd.Model, hd.Biased, hd.HiddenSize, hd.HdCells, hd.Dt, hd.NoiseStd, hd.Steps));
        var already = ExperimentPresets.Find("paper-hd-biased");
        Assert.Same(already, already.ForHeadDirection());
    }

    [Fact]
    public void PresetsAreListed()
    {
        var (exit, output, _) = Run("presets");
        Assert.Equal(0, exit);
        foreach (var p in ExperimentPresets.All) Assert.Contains(p.Name, output);
        var (exit2, output2, _) = Run("reproduce", "--list-presets");
        Assert.Equal(0, exit2);
        Assert.Equal(output, output2);
    }

    [Fact]
    public void ConfigsWrittenBeforeTheBiasLayoutReadAsTheDefaultLayoutAndCompareEqual()
    {
        var current = ExperimentPresets.Quick with { Bias = true };
        string json = ExperimentConfigJson.ToJson(current);
        Assert.Contains("\"bias_layout\": \"RecurrentReadout\"", json);
        var old = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        Assert.True(old.Remove("bias_layout"));
        var loaded = ExperimentConfigJson.FromJson(old.ToJsonString(), "old");
        Assert.Equal(current, loaded);
        Assert.Null(ExperimentConfigJson.FirstDifference(loaded, current));

        // The reference's layout: saved, compared and given to the network.
        var reference = current with { BiasLayout = NoisyRnn.Models.VanillaBiasLayout.AllLayers };
        Assert.Equal(reference, ExperimentConfigJson.FromJson(ExperimentConfigJson.ToJson(reference), "new"));
        Assert.Equal("config.bias_layout is \"RecurrentReadout\" there, \"AllLayers\" here", ExperimentConfigJson.FirstDifference(current, reference));
        var (task, _) = ExperimentSetup.CreateTask(reference, 0);
        var model = Assert.IsType<NoisyRnn.Models.VanillaRnn>(ExperimentSetup.CreateModel(reference, task, 0));
        Assert.Equal(NoisyRnn.Models.VanillaBiasLayout.AllLayers, model.Options.BiasLayout);
        Assert.True(model.Parameters.Contains("encoder.bias") && model.Parameters.Contains("w_in.bias"));

        // A network's context saved before the field existed reads back as the default layout.
        var network = ExperimentSetup.CreateModel(current, task, 0);
        var context = System.Text.Json.Nodes.JsonNode.Parse(NetworkContext.For("noise-trained", 0.01f, current, task).ToJson())!.AsObject();
        Assert.True(context["config"]!.AsObject().Remove("bias_layout"));
        var checkpoint = new NoisyRnn.Training.CheckpointData(network, 0, 0, null, null,
            new Dictionary<string, string> { [NetworkContext.MetadataKey] = context.ToJsonString() });
        Assert.Equal(current, NetworkContext.FromCheckpoint(checkpoint)!.Config);
    }

    [Fact]
    public void SmokeRunWritesAConfigThatReloadsToTheSameSettingsAndReproducesTheRun()
    {
        string first = Path.Combine(_dir, "first");
        var (exit, _, error) = Run("reproduce", "--preset", "smoke", "--seed", "4", "--steps", "3", "--no-plots", "--out", first);
        Assert.True(exit == 0, error);
        var config = ExperimentConfigJson.Load(Path.Combine(first, Experiment.ConfigFileName));
        Assert.Equal(ExperimentPresets.Smoke with { Seed = 4, Steps = 3 }, config);

        // The saved config alone gives the same run: the same settings and the same numbers.
        string second = Path.Combine(_dir, "second");
        (exit, _, error) = Run("reproduce", "--config", Path.Combine(first, Experiment.ConfigFileName), "--no-plots", "--out", second);
        Assert.True(exit == 0, error);
        Assert.Equal(File.ReadAllText(Path.Combine(first, Experiment.ConfigFileName)), File.ReadAllText(Path.Combine(second, Experiment.ConfigFileName)));
        using var a = JsonDocument.Parse(File.ReadAllText(Path.Combine(first, "summary.json")));
        using var b = JsonDocument.Parse(File.ReadAllText(Path.Combine(second, "summary.json")));
        Assert.Equal(a.RootElement.GetProperty("runs").GetRawText(), b.RootElement.GetProperty("runs").GetRawText());
        Assert.Equal(a.RootElement.GetProperty("settings").GetRawText(), b.RootElement.GetProperty("settings").GetRawText());
    }

    [Fact]
    public void DifferenceOfGaussiansPlaceCellsFromTheCommandLineReachTheTask()
    {
        string path = Path.Combine(_dir, "dog.json");
        var (exit, _, error) = Run("reproduce", "--preset", "smoke", "--place-cell-tuning", "DoG", "--surround-scale", "3", "--write-config", path);
        Assert.True(exit == 0, error);
        var p = ExperimentConfigJson.Load(path);
        Assert.Equal(("dog", 3.0), (p.PlaceCellTuning, p.SurroundScale));
        Assert.Contains("\"place_cell_tuning\": \"dog\"", File.ReadAllText(path));
        var (task, options) = ExperimentSetup.CreateTask(p, 0);
        var cells = Assert.IsType<NoisyRnn.Tasks.SpatialNavigationTask>(task).PlaceCells;
        Assert.Equal((NoisyRnn.Tasks.PlaceCellTuning.DifferenceOfGaussians, 3.0), (cells.Tuning, cells.SurroundScale));
        // Same centres as the Gaussian cells of the same seed: only the tuning differs.
        var gaussian = Assert.IsType<NoisyRnn.Tasks.SpatialNavigationTask>(ExperimentSetup.CreateTask(p with { PlaceCellTuning = "gaussian" }, 0).Task).PlaceCells;
        Assert.Equal(gaussian.Centers.ToArray(), cells.Centers.ToArray());
        Assert.Equal(NoisyRnn.Tasks.PlaceCellTuning.Gaussian, gaussian.Tuning);
        Assert.True(options.BoxWidth > 0);

        (exit, _, error) = Run("reproduce", "--preset", "smoke", "--place-cell-tuning", "ring", "--write-config", path);
        Assert.Equal(2, exit);
        Assert.Contains("--place-cell-tuning: unknown tuning 'ring'", error);
        (exit, _, error) = Run("reproduce", "--preset", "smoke", "--place-cell-tuning", "dog", "--surround-scale", "1", "--write-config", path);
        Assert.Equal(2, exit);
        Assert.Contains("config.surround_scale", error);
    }

    [Fact]
    public void DifferenceOfGaussiansSmokeRunTrainsAndAnalyses()
    {
        string dir = Path.Combine(_dir, "dog");
        var (exit, output, error) = Run("reproduce", "--preset", "smoke", "--place-cell-tuning", "dog", "--no-plots", "--out", dir);
        Assert.True(exit == 0, error);
        Assert.Contains("difference of Gaussians", output);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")));
        Assert.Equal("dog", summary.RootElement.GetProperty("settings").GetProperty("place_cell_tuning").GetString());
    }
}
