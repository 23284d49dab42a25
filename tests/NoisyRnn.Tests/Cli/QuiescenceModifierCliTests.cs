using System.Text.Json;
using System.Text.Json.Nodes;
using NoisyRnn.Cli;
using NoisyRnn.Cli.Commands;
using NoisyRnn.Experiments;
using static NoisyRnn.Tests.Cli.CliRun;

namespace NoisyRnn.Tests.Cli;

/// <summary>The quiescence modifiers on the command line (docs/replay.md): reproduce's config fields, reactivate's single
/// runs and sweeps, and their errors.</summary>
public class QuiescenceModifierCliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "noisyrnn-modifiers-" + Guid.NewGuid().ToString("N"));

    public QuiescenceModifierCliTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    [Fact]
    public void ReproduceWritesTheModifiersIntoTheConfig()
    {
        string path = Path.Combine(_dir, "c.json");
        var (exit, _, error) = Run("reproduce", "--preset", "smoke", "--momentum", "0.5", "--adaptation", "0.3", "--adaptation-tau", "4",
            "--quiescent-leak", "1", "--write-config", path);
        Assert.True(exit == 0, error);
        var p = ExperimentConfig.Load(path);
        Assert.Equal((0.5, 0.3, 4.0, (double?)1.0), (p.QuiescentMomentum, p.QuiescentAdaptation, p.QuiescentAdaptationTau, p.QuiescentLeak));
        Assert.Equal(new NoisyRnn.Models.DynamicsModifiers { Momentum = 0.5, Adaptation = 0.3, AdaptationTimeConstant = 4, Leak = 1 }, p.QuiescenceModifiers);

        // Without the options: no modifier, written explicitly.
        Assert.Equal(0, Run("reproduce", "--preset", "smoke", "--write-config", path).Exit);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal(0, doc.RootElement.GetProperty("quiescent_momentum").GetDouble());
        Assert.Equal(8, doc.RootElement.GetProperty("quiescent_adaptation_tau").GetDouble());
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("quiescent_leak").ValueKind);
        Assert.True(ExperimentConfig.Load(path).QuiescenceModifiers.IsNone);
    }

    [Fact]
    public void AConfigWrittenBeforeTheModifiersLoadsAsNoModifierAndComparesEqual()
    {
        // A config.json of an older run has none of the quiescent_* fields: resuming or reactivating it must still work.
        foreach (var preset in new[] { ExperimentPresets.Quick, ExperimentPresets.Find("paper-spatial-gru-biased") })
        {
            var node = JsonNode.Parse(preset.ToJson())!.AsObject();
            foreach (string field in new[] { "quiescent_momentum", "quiescent_adaptation", "quiescent_adaptation_tau", "quiescent_leak" })
                Assert.True(node.Remove(field), field);
            var old = ExperimentConfig.FromJson(node.ToJsonString(), "old");
            Assert.Equal(preset, old);
            Assert.Null(ExperimentConfigJson.FirstDifference(old, preset));
            Assert.Null(ExperimentConfigJson.FirstDifference(preset, old));
        }
        // A modifier is a difference (a resumed run with other quiescent dynamics is another run).
        Assert.Equal("config.quiescent_momentum is 0 there, 0.5 here",
            ExperimentConfigJson.FirstDifference(ExperimentPresets.Quick, ExperimentPresets.Quick with { QuiescentMomentum = 0.5 }));
    }

    [Theory]
    [InlineData("--momentum", "1", "[0, 1)")]
    [InlineData("--momentum", "-0.1", "[0, 1)")]
    [InlineData("--momentum", "fast", "[0, 1)")]
    [InlineData("--momentum", "0,0.5", "one value")]
    [InlineData("--adaptation", "-1", ">= 0")]
    [InlineData("--adaptation-tau", "0.5", ">= 1")]
    [InlineData("--quiescent-leak", "0", "(0, 1]")]
    [InlineData("--quiescent-leak", "1.5", "(0, 1]")]
    public void ReproduceRejectsModifiersOutOfRangeNamingTheOption(string option, string value, string range)
    {
        var (exit, _, error) = Run("reproduce", "--preset", "smoke", option, value, "--write-config", Path.Combine(_dir, "never.json"));
        Assert.Equal(CliApp.UsageError, exit);
        string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: " + option, line);
        Assert.Contains(range, line);
        Assert.False(File.Exists(Path.Combine(_dir, "never.json")));
    }

    [Theory]
    [InlineData("quiescent_momentum", "1", "config.quiescent_momentum must be in [0, 1)")]
    [InlineData("quiescent_adaptation", "-0.2", "config.quiescent_adaptation must be finite and >= 0")]
    [InlineData("quiescent_adaptation_tau", "0", "config.quiescent_adaptation_tau must be finite and >= 1")]
    [InlineData("quiescent_leak", "0", "config.quiescent_leak must be in (0, 1]")]
    public void ConfigModifiersOutOfRangeAreErrorsNamingTheField(string field, string value, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => ExperimentConfig.FromJson($"{{\"name\":\"x\",\"{field}\":{value}}}", "test"));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void ReactivateRunsOneSettingOrSweepsEveryCombination()
    {
        string run = Path.Combine(_dir, "run");
        Assert.Equal(0, Run("reproduce", "--preset", "smoke", "--seed", "3", "--no-plots", "--out", run).Exit);
        string model = Path.Combine(run, "noise-trained", "model.nrnn");
        using var reproduced = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json")));
        var paper = reproduced.RootElement.GetProperty("runs")[0];

        // One setting: the run's metrics change, and the summary says which modifiers it ran with.
        string one = Path.Combine(_dir, "one");
        var (exit, output, error) = Run("reactivate", "--model", model, "--momentum", "0.5", "--adaptation", "0.3", "--out", one, "--no-plots");
        Assert.True(exit == 0, error);
        Assert.Contains("Quiescence modifiers: M 0.5, b 0.3 (tau_a 8)", output);
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(one, "summary.json"))))
        {
            var m = doc.RootElement.GetProperty("quiescence_modifiers");
            Assert.Equal((0.5, 0.3, 8.0), (m.GetProperty("momentum").GetDouble(), m.GetProperty("adaptation").GetDouble(), m.GetProperty("adaptation_tau").GetDouble()));
            Assert.NotEqual(paper.GetProperty("quiescent_output_variance").GetDouble(), doc.RootElement.GetProperty("run").GetProperty("quiescent_output_variance").GetDouble());
        }

        // A sweep: every combination, the no-modifier row being reproduce's run exactly (same start states and draws).
        string sweep = Path.Combine(_dir, "sweep");
        (exit, output, error) = Run("reactivate", "--model", model, "--momentum", "0, 0.5", "--adaptation", "0,0.3", "--out", sweep);
        Assert.True(exit == 0, error);
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(sweep, ReactivateSweep.JsonFile))))
        {
            var rows = doc.RootElement.GetProperty("settings").EnumerateArray().ToList();
            Assert.Equal([(0.0, 0.0), (0.0, 0.3), (0.5, 0.0), (0.5, 0.3)], rows.Select(r => (r.GetProperty("momentum").GetDouble(), r.GetProperty("adaptation").GetDouble())));
            foreach (string field in new[] { "kl_quiescent_to_active", "quiescent_output_variance", "quiescent_step_distance" })
                Assert.Equal(paper.GetProperty(field).GetDouble(), rows[0].GetProperty(field).GetDouble());
            var replay = paper.GetProperty("replay");
            Assert.Equal(replay.GetProperty("speed_ratio").GetDouble(), rows[0].GetProperty("speed_ratio").GetDouble());
            Assert.Equal(replay.GetProperty("wasserstein2").GetDouble(), rows[0].GetProperty("wasserstein2").GetDouble());
            Assert.True(doc.RootElement.GetProperty("active").GetProperty("msd").GetArrayLength() > 2);
        }
        string table = File.ReadAllText(Path.Combine(sweep, ReactivateSweep.MarkdownFile));
        Assert.Contains("| M | b | tau_a | leak | speed ratio", table);
        Assert.Equal(4, table.Split('\n').Count(l => l.StartsWith("| 0", StringComparison.Ordinal)));
        foreach (string figure in new[] { "sweep_momentum", "sweep_adaptation", "msd" })
            FigureAssert.PngAndSvg(Path.Combine(sweep, figure + ".png"));

        // Never into a folder that holds files; lists are checked before anything runs.
        (exit, _, error) = Run("reactivate", "--model", model, "--momentum", "0,0.5", "--out", sweep);
        Assert.Equal(CliApp.UsageError, exit);
        Assert.Contains("already holds files", error);
        (exit, _, error) = Run("reactivate", "--model", model, "--momentum", "0,1", "--out", Path.Combine(_dir, "never"));
        Assert.Equal(CliApp.UsageError, exit);
        Assert.StartsWith("error: --momentum has '1'; expected numbers in [0, 1)", error);
        Assert.False(Directory.Exists(Path.Combine(_dir, "never")));
    }
}
