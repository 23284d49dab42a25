using System.Text.Json;
using NoisyRnn.Reference;
using NoisyRnn.Tasks;
using NoisyRnn.Tests.Fixtures;

namespace NoisyRnn.Tests.Tasks;

public class HeadDirectionTests
{
    /// <summary>Inputs and headings are float64 results rounded once to float32, as in the reference: equal up to 1 float32 ulp.</summary>
    private const double TrajectoryTolerance = 1e-6;

    /// <summary>The reference evaluates the tuning in float32 (exp(kappa cos d) / exp(kappa)); we use float64: a few ulp.</summary>
    private const double ActivationRelativeTolerance = 1e-5;

    /// <summary>Absolute floor for activations near exp(-2 kappa).</summary>
    private const double ActivationAbsoluteTolerance = 1e-7;

    /// <summary>The reference averages cos and sin in float32 numpy; circular distance of the decoded angles.</summary>
    private const double DecodeTolerance = 1e-5;

    public static TheoryData<string> Files() => new() { "head_direction_unbiased.json", "head_direction_biased.json" };

    private static List<RecordedTaskDraw> Draws(JsonElement root)
    {
        var records = new List<RecordedTaskDraw>();
        foreach (JsonElement e in root.GetProperty("random_draws_in_call_order").EnumerateArray())
        {
            double[] values = ReferenceFixtures.Tensor(e).Data;
            records.Add(e.GetProperty("dist").GetString() switch
            {
                "uniform" => RecordedTaskDraw.Uniform(e.GetProperty("low").GetDouble(), e.GetProperty("high").GetDouble(), values),
                "normal" => RecordedTaskDraw.Normal(e.GetProperty("mean").GetDouble(), e.GetProperty("std").GetDouble(), values),
                var d => throw new InvalidDataException($"Unknown distribution {d}."),
            });
        }
        return records;
    }

    private static void Close(double[] expected, ReadOnlySpan<float> actual, double rel, double abs, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= abs + rel * Math.Abs(expected[i]), $"{what}[{i}]: expected {expected[i]}, got {actual[i]}");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void ReplayReproducesTheReference(string file)
    {
        var root = ReferenceFixtures.Load(file);
        var p = root.GetProperty("params");
        Assert.Equal(0.0, p.GetProperty("mu").GetDouble());
        int cells = p.GetProperty("hd_cells_num").GetInt32(), batchSize = p.GetProperty("batch_size").GetInt32();
        double spread = p.GetProperty("hd_cells_angular_spread").GetDouble();
        var options = new HeadDirectionOptions
        {
            Dt = p.GetProperty("dt").GetDouble(), TurnStd = p.GetProperty("sigma").GetDouble(),
            SequenceLength = p.GetProperty("sequence_length").GetInt32(), Biased = root.GetProperty("biased").GetBoolean(),
        };
        var hdCells = new HeadDirectionCells(cells, spread, PreferredAngleLayout.ReferenceLinspace);
        Close(ReferenceFixtures.Tensor(root, "hd_cell_preferred_angles").Data, hdCells.PreferredAngles, 0, TrajectoryTolerance, "preferred angles");

        var task = new HeadDirectionTask(options, hdCells);
        var random = new ReplayTaskRandom(Draws(root));
        var batch = task.NextBatch(batchSize, random);
        Assert.Equal(0, random.Remaining);

        Close(ReferenceFixtures.Tensor(root, "angular_velocity_input").Data, batch.Inputs, 0, TrajectoryTolerance, "angular velocity");
        Close(ReferenceFixtures.Tensor(root, "init_hd").Data, batch.InitialHeading, 0, TrajectoryTolerance, "init_hd");
        Close(ReferenceFixtures.Tensor(root, "target_hd").Data, batch.Headings, 0, TrajectoryTolerance, "target_hd");
        Close(ReferenceFixtures.Tensor(root, "hd_cell_activation").Data, batch.Targets, ActivationRelativeTolerance, ActivationAbsoluteTolerance, "activation");
        if (options.Biased) Assert.All(batch.Inputs, v => Assert.True(v >= 0f));

        var decoded = new float[batch.Headings.Length];
        task.Decode(batch.Targets, decoded);
        double[] expected = ReferenceFixtures.Tensor(root, "decoded_hd_top3").Data;
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(Angles.Difference(expected[i], decoded[i])) <= DecodeTolerance, $"decoded[{i}]: expected {expected[i]}, got {decoded[i]}");
    }

    [Theory]
    [InlineData(0.01)]
    [InlineData(0.05)]
    [InlineData(Math.PI / 6)]
    [InlineData(3.0)]
    public void VonMisesTuningIsFiniteAndPeaksAtOne(double spread)
    {
        var cells = new HeadDirectionCells(64, spread);
        Assert.Equal(1.0 / (spread * spread), cells.Kappa, 12);
        var headings = cells.PreferredAngles.ToArray().Concat(new[] { 0.123f, -3.1f, 3.14159f }).ToArray();
        var act = new float[headings.Length * cells.Count];
        cells.Encode(headings, act);
        Assert.All(act, v => Assert.True(float.IsFinite(v) && v >= 0f && v <= 1f));
        for (int i = 0; i < cells.Count; i++) Assert.Equal(1f, act[i * cells.Count + i]);
        Assert.Equal(1.0, HeadDirectionCells.VonMises(0, 1e8));
        Assert.Equal(0.0, HeadDirectionCells.VonMises(Math.PI, 1e8));
    }

    [Fact]
    public void PaperLayoutIsEvenlySpacedWithoutDuplicates()
    {
        var cells = new HeadDirectionCells(8, 0.5);
        for (int i = 0; i < 8; i++) Assert.Equal(-Math.PI + i * Math.PI / 4, cells.PreferredAngles[i], 6);
        var reference = new HeadDirectionCells(8, 0.5, PreferredAngleLayout.ReferenceLinspace);
        Assert.Equal(-reference.PreferredAngles[0], reference.PreferredAngles[7]);
    }

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(Math.PI, -Math.PI)]
    [InlineData(-Math.PI, -Math.PI)]
    [InlineData(2 * Math.PI, 0.0)]
    [InlineData(-2 * Math.PI, 0.0)]
    [InlineData(-4 * Math.PI, 0.0)]
    [InlineData(3 * Math.PI, -Math.PI)]
    [InlineData(-0.5, -0.5)]
    [InlineData(-7.0, -7.0 + 2 * Math.PI)]
    [InlineData(7.0, 7.0 - 2 * Math.PI)]
    public void WrapFollowsNumpyMod(double angle, double expected)
    {
        Assert.Equal(expected, Angles.Wrap(angle), 12);
    }

    [Fact]
    public void DecodingIsCircular()
    {
        var cells = new HeadDirectionCells(16, 0.3);
        var act = new float[16];
        cells.Encode(new[] { 3.1f }, act);
        var decoded = new float[1];
        cells.Decode(act, decoded);
        Assert.True(Math.Abs(Angles.Difference(decoded[0], 3.1)) < 0.2, $"decoded {decoded[0]}");
        var (err, mse) = new HeadDirectionTask(new HeadDirectionOptions(), cells).DecodingErrors(new[] { 3.1f }, new[] { -3.1f });
        Assert.Equal(2 * Math.PI - 6.2, err, 5);
        Assert.Equal(err * err, mse, 8);
    }

    [Fact]
    public void BadInputsNameTheParameter()
    {
        Assert.Equal("angularSpread", Assert.Throws<ArgumentOutOfRangeException>(() => new HeadDirectionCells(4, 0)).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => new HeadDirectionCells(0, 1)).ParamName);
        Assert.Equal("preferredAngles", Assert.Throws<ArgumentException>(() => new HeadDirectionCells(new[] { float.NaN }, 1)).ParamName);
        Assert.Equal("SequenceLength", Assert.Throws<ArgumentOutOfRangeException>(() => new HeadDirectionTask(new HeadDirectionOptions { SequenceLength = 0 }, new HeadDirectionCells(4, 1))).ParamName);
        Assert.Equal("Dt", Assert.Throws<ArgumentOutOfRangeException>(() => new HeadDirectionOptions { Dt = -1 }.Validate()).ParamName);
        var cells = new HeadDirectionCells(4, 1);
        Assert.Equal("activations", Assert.Throws<ArgumentException>(() => cells.Encode(new float[2], new float[7])).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => cells.Decode(new float[4], new float[1], 5)).ParamName);
        Assert.Equal("headings", Assert.Throws<ArgumentException>(() => cells.Decode(new float[8], new float[1])).ParamName);
        Assert.Equal("angle", Assert.Throws<ArgumentOutOfRangeException>(() => Angles.Wrap(double.NaN)).ParamName);
        var task = new HeadDirectionTask(new HeadDirectionOptions { SequenceLength = 5 }, cells);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => task.NextBatch(new SeededTaskRandom(1), new HeadDirectionBatch(2, 6, 4))).ParamName);
    }

    [Fact]
    public void SeededBatchesAreReproducibleAndBiasedTurnsArePositive()
    {
        var cells = new HeadDirectionCells(32, Math.PI / 6);
        var task = new HeadDirectionTask(new HeadDirectionOptions { SequenceLength = 20, Biased = true }, cells);
        var a = task.NextBatch(5, new SeededTaskRandom(9));
        var b = task.NextBatch(5, new SeededTaskRandom(9));
        Assert.Equal(a.Targets, b.Targets);
        Assert.All(a.Inputs, v => Assert.True(v >= 0f));
        Assert.All(a.Headings, v => Assert.InRange(v, -Math.PI, Math.PI));
    }
}
