using System.Text.Json;
using NoisyRnn.Cli;
using NoisyRnn.Experiments;
using NoisyRnn.Models;
using NoisyRnn.Tasks;
using static NoisyRnn.Tests.Cli.CliRun;

namespace NoisyRnn.Tests.Cli;

/// <summary>The training modifiers (<see cref="RecurrentNetwork{TOptions, TTape}.Dynamics"/>) in the run config and on reproduce's command line:
/// training_* fields omitted at their defaults, round trip, range errors, the GRU refusal, and networks built or loaded
/// from a config carry them.</summary>
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
    public void ReproduceRefusesTrainingModifiersForTheGru()
    {
        var (exit, _, error) = Run("reproduce", "--preset", "smoke", "--model", "gru", "--train-momentum", "0.5", "--write-config", Path.Combine(_dir, "c.json"));
        Assert.NotEqual(0, exit);
        Assert.Contains("--train-momentum", error);
        Assert.Contains("vanilla RNN only", error);
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
