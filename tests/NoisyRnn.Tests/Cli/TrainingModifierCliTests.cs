using System.Text.Json;
using NoisyRnn.Cli;
using NoisyRnn.Experiments;
using NoisyRnn.Models;
using NoisyRnn.Tasks;
using static NoisyRnn.Tests.Cli.CliRun;

namespace NoisyRnn.Tests.Cli;

/// <summary>The training modifiers (<see cref="RecurrentNetwork{TOptions, TTape}.Dynamics"/>) in the run config and on reproduce's command line:
/// training_* fields omitted at their defaults, round trip, range errors, a GRU trained with them from the command line,
/// and networks of either cell built or loaded from a config carry them.</summary>
public class TrainingModifierCliTests : IDisposable
{
    private static readonly string[] Fields = ["training_momentum", "training_adaptation", "training_adaptation_tau"];

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "noisyrnn-trainmod-" + Guid.NewGuid().ToString("N"));

    public TrainingModifierCliTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    [Fact]
    public void DefaultConfigsDoNotWriteTheTrainingFields()
    {
        // Existing config.json files and summaries stay byte-identical: no training_* field unless one is set.
        foreach (var preset in ExperimentPresets.All)
        {
            using var doc = JsonDocument.Parse(preset.ToJson());
            foreach (string field in Fields) Assert.False(doc.RootElement.TryGetProperty(field, out _), $"{preset.Name}: {field}");
            Assert.True(preset.TrainingDynamics.IsNone);
        }
    }

    [Fact]
    public void TrainingFieldsRoundTripAndAreWrittenOnlyWhenSet()
    {
        var p = ExperimentPresets.Quick with { TrainingMomentum = 0.5, TrainingAdaptation = 0.3, TrainingAdaptationTau = 4 };
        var back = ExperimentConfig.FromJson(p.ToJson(), "test");
        Assert.Equal(p, back);
        Assert.Equal(new DynamicsModifiers { Momentum = 0.5, Adaptation = 0.3, AdaptationTimeConstant = 4 }, back.TrainingDynamics);

        var momentumOnly = ExperimentPresets.Quick with { TrainingMomentum = 0.5 };
        using var doc = JsonDocument.Parse(momentumOnly.ToJson());
        Assert.Equal(0.5, doc.RootElement.GetProperty("training_momentum").GetDouble());
        Assert.False(doc.RootElement.TryGetProperty("training_adaptation", out _));
        Assert.False(doc.RootElement.TryGetProperty("training_adaptation_tau", out _));
        Assert.Equal(momentumOnly, ExperimentConfig.FromJson(momentumOnly.ToJson(), "test"));
        // A run folder of the plain config must not resume as the modified one, nor the other way round.
        Assert.Contains("training_momentum", ExperimentConfigJson.FirstDifference(ExperimentPresets.Quick, momentumOnly));
        Assert.Contains("training_momentum", ExperimentConfigJson.FirstDifference(momentumOnly, ExperimentPresets.Quick));
    }

    [Theory]
    [InlineData("training_momentum", 1.0)]
    [InlineData("training_momentum", -0.1)]
    [InlineData("training_adaptation", -1.0)]
    [InlineData("training_adaptation_tau", 0.5)]
    public void OutOfRangeTrainingFieldsAreConfigErrors(string field, double value)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(ExperimentPresets.Quick.ToJson())!.AsObject();
        node[field] = value;
        var e = Assert.Throws<ArgumentException>(() => ExperimentConfig.FromJson(node.ToJsonString(), "test"));
        Assert.Contains("config." + field, e.Message);
    }

    [Fact]
    public void ReproduceWritesTheTrainingOptionsIntoTheConfig()
    {
        string path = Path.Combine(_dir, "c.json");
        var (exit, _, error) = Run("reproduce", "--preset", "smoke", "--train-momentum", "0.5", "--train-adaptation", "0.3",
            "--train-adaptation-tau", "4", "--write-config", path);
        Assert.True(exit == 0, error);
        var p = ExperimentConfig.Load(path);
        Assert.Equal((0.5, 0.3, 4.0), (p.TrainingMomentum, p.TrainingAdaptation, p.TrainingAdaptationTau));
        Assert.True(p.QuiescenceModifiers.IsNone);
    }

    [Theory]
    [InlineData("--train-momentum", "1")]
    [InlineData("--train-momentum", "0.2,0.5")]
    [InlineData("--train-adaptation", "-0.1")]
    [InlineData("--train-adaptation-tau", "0.5")]
    [InlineData("--train-adaptation", "x")]
    public void BadTrainingOptionsAreOneLineErrorsNamingTheOption(string option, string value)
    {
        var (exit, _, error) = Run("reproduce", "--preset", "smoke", option, value, "--write-config", Path.Combine(_dir, "c.json"));
        Assert.NotEqual(0, exit);
        Assert.Contains($"{option} ", error);
        Assert.False(File.Exists(Path.Combine(_dir, "c.json")));
    }

    [Fact]
    public void AGruTrainsWithModifiersAndItsSavedNetworkRunsWithThem()
    {
        // The smallest run: the smoke preset's GRU trained with momentum and adaptation in its own dynamics.
        string run = Path.Combine(_dir, "gru");
        var (exit, output, error) = Run("reproduce", "--preset", "smoke", "--model", "gru", "--train-momentum", "0.3", "--train-adaptation", "0.2",
            "--seed", "3", "--no-plots", "--out", run);
        Assert.True(exit == 0, error);
        Assert.Contains("training modifiers (the networks' own dynamics", output);
        var p = ExperimentConfig.Load(Path.Combine(run, "config.json"));
        Assert.Equal(("gru", 0.3, 0.2), (p.Model, p.TrainingMomentum, p.TrainingAdaptation));

        // The saved network carries them (its context's config) for reactivate and replay.
        string model = Path.Combine(run, "noise-trained", "model.nrnn");
        var saved = NoisyRnn.Cli.Commands.SavedNetwork.Load(model, null, null, null, null, TextWriter.Null);
        Assert.Equal(p.TrainingDynamics, Assert.IsType<GruRnn>(saved.Checkpoint.Network).Dynamics);
        // reactivate without quiescence modifiers runs the network's own modified dynamics: reproduce's numbers.
        using var reproduced = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json")));
        var trained = reproduced.RootElement.GetProperty("runs")[0];
        string one = Path.Combine(_dir, "one");
        (exit, _, error) = Run("reactivate", "--model", model, "--out", one, "--no-plots");
        Assert.True(exit == 0, error);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(one, "summary.json")));
        foreach (string field in new[] { "quiescent_output_variance", "quiescent_step_distance" })
            Assert.Equal(trained.GetProperty(field).GetDouble(), doc.RootElement.GetProperty("run").GetProperty(field).GetDouble());
        // replay loads it the same way (SavedNetwork) and runs a recorded path through it.
        string csv = Path.Combine(_dir, "path.csv");
        File.WriteAllLines(csv, ["t,x,y", .. Enumerable.Range(0, 61).Select(i => FormattableString.Invariant($"{i * 0.02},{0.3 * Math.Cos(i * 0.05)},{0.3 * Math.Sin(i * 0.05)}"))]);
        (exit, _, error) = Run("replay", "--model", model, "--trajectories", csv, "--out", Path.Combine(_dir, "replay"));
        Assert.True(exit == 0, error);
    }

    [Theory]
    [InlineData("vanilla", "relu")]
    [InlineData("gru", "tanh")]
    public void NetworksOfAConfigCarryItsTrainingModifiers(string cell, string activation)
    {
        var p = ExperimentPresets.Find("smoke") with { Model = cell, Activation = activation, TrainingMomentum = 0.4, TrainingAdaptation = 0.2, TrainingAdaptationTau = 5 };
        var (task, _) = ExperimentSetup.CreateTask(p, p.Seed);
        var model = ExperimentSetup.CreateModel(p, task, 0);
        Assert.Equal(cell, model.Kind);
        Assert.Equal(p.TrainingDynamics, ((ISimulatedCell)model).Dynamics);
        // A loaded network (reactivate, replay) gets them from its context's config.
        var loaded = ExperimentSetup.CreateModel(p with { TrainingMomentum = 0, TrainingAdaptation = 0, TrainingAdaptationTau = 8 }, task, 0);
        Assert.True(((ISimulatedCell)loaded).Dynamics.IsNone);
        ExperimentSetup.ApplyTrainingDynamics(loaded, NetworkContext.For("noise-trained", 0.01f, p, task).Config);
        Assert.Equal(p.TrainingDynamics, ((ISimulatedCell)loaded).Dynamics);
    }
}
