using NoisyRnn.Reference;
using NoisyRnn.Tasks;
using NoisyRnn.Tests.Fixtures;

namespace NoisyRnn.Tests.Tasks;

/// <summary>Replays the reference trajectory generator's recorded draws and compares every output.</summary>
public class SpatialFixtureTests
{
    /// <summary>
    /// Trajectories are computed in float64 and rounded to float32 on both sides (bit-identical here on Linux); another
    /// libm's sin/cos may differ in the last double bit and flip one float32 rounding: allow a few float32 ulps.
    /// </summary>
    private const double TrajectoryRelTol = 1e-6, TrajectoryAbsTol = 1e-7;

    /// <summary>
    /// Place code in float32 with the reference's operation order; only exp and the sum differ by a few ulps (measured
    /// 4.3e-7 relative): 2e-6 relative, with a 1e-12 absolute floor for entries that underflow toward denormals.
    /// </summary>
    private const double ActivationRelTol = 2e-6, ActivationAbsTol = 1e-12;

    public static TheoryData<string> Files => new(SpatialFixtures.Files);

    [Theory]
    [MemberData(nameof(Files))]
    public void ReplayedDrawsReproduceTheReferenceTrajectories(string file)
    {
        var root = ReferenceFixtures.Load(file);
        var generator = new SpatialTrajectoryGenerator(SpatialFixtures.Options(root));
        var random = new ReplayTaskRandom(SpatialFixtures.Draws(root));

        SpatialTrajectoryBatch batch = generator.Generate(SpatialFixtures.BatchSize(root), random);

        Assert.Equal(0, random.Remaining);
        AssertClose(ReferenceFixtures.Tensor(root, "velocity_input"), batch.Velocity, TrajectoryRelTol, TrajectoryAbsTol);
        AssertClose(ReferenceFixtures.Tensor(root, "init_pos"), batch.InitialPosition, TrajectoryRelTol, TrajectoryAbsTol);
        AssertClose(ReferenceFixtures.Tensor(root, "target_pos"), batch.Positions, TrajectoryRelTol, TrajectoryAbsTol);
        AssertClose(ReferenceFixtures.Tensor(root, "target_hd"), batch.HeadDirection, TrajectoryRelTol, TrajectoryAbsTol);
        AssertClose(ReferenceFixtures.Tensor(root, "ego_v"), batch.Speed, TrajectoryRelTol, TrajectoryAbsTol);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void PlaceCodeAndTopThreeDecodingMatchTheReference(string file)
    {
        var root = ReferenceFixtures.Load(file);
        var cells = new PlaceCells(ReferenceFixtures.Tensor(root, "place_cell_centers").AsFloat(), SpatialFixtures.PlaceCellSigma(root));
        float[] positions = ReferenceFixtures.Tensor(root, "target_pos").AsFloat();
        FixtureTensor expected = ReferenceFixtures.Tensor(root, "place_cell_activation");

        var activations = new float[expected.Data.Length];
        cells.Encode(positions, activations);
        AssertClose(expected, activations, ActivationRelTol, ActivationAbsTol);

        var oracle = new float[expected.Data.Length];
        cells.EncodeScalar(positions, oracle);
        AssertClose(expected, oracle, ActivationRelTol, ActivationAbsTol);

        // Decoding the reference's own activations must give its decoded positions bit for bit.
        var decoded = new float[positions.Length];
        cells.Decode(expected.AsFloat(), decoded);
        Assert.Equal(ReferenceFixtures.Tensor(root, "decoded_pos_top3").AsFloat(), decoded);

        // And decoding ours gives the same (the top three cells are well separated in these fixtures).
        cells.Decode(activations, decoded);
        Assert.Equal(ReferenceFixtures.Tensor(root, "decoded_pos_top3").AsFloat(), decoded);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void TaskBatchEncodesReplayedTrajectories(string file)
    {
        var root = ReferenceFixtures.Load(file);
        var cells = new PlaceCells(ReferenceFixtures.Tensor(root, "place_cell_centers").AsFloat(), SpatialFixtures.PlaceCellSigma(root));
        var task = new SpatialNavigationTask(SpatialFixtures.Options(root), cells);

        SpatialNavigationBatch batch = task.NextBatch(SpatialFixtures.BatchSize(root), new ReplayTaskRandom(SpatialFixtures.Draws(root)));

        AssertClose(ReferenceFixtures.Tensor(root, "velocity_input"), batch.Inputs, TrajectoryRelTol, TrajectoryAbsTol);
        AssertClose(ReferenceFixtures.Tensor(root, "place_cell_activation"), batch.Targets, ActivationRelTol, ActivationAbsTol);
        var init = new float[batch.BatchSize * cells.Count];
        cells.Encode(ReferenceFixtures.Tensor(root, "init_pos").AsFloat(), init);
        for (int i = 0; i < init.Length; i++) Assert.True(Math.Abs(init[i] - batch.InitialState[i]) <= ActivationRelTol * init[i] + ActivationAbsTol);
    }

    [Fact]
    public void ReplayForTheWrongOptionsFailsWithAnExplanation()
    {
        var root = ReferenceFixtures.Load(SpatialFixtures.Files[0]);
        var generator = new SpatialTrajectoryGenerator(SpatialFixtures.Options(root) with { BoxWidth = 2.0 });
        var error = Assert.Throws<InvalidOperationException>(() => generator.Generate(SpatialFixtures.BatchSize(root), new ReplayTaskRandom(SpatialFixtures.Draws(root))));
        Assert.Contains("Uniform(-1, 1) x 4", error.Message);
        Assert.Contains("Uniform(-1.1, 1.1) x 4", error.Message);

        var longer = new SpatialTrajectoryGenerator(SpatialFixtures.Options(root) with { SequenceLength = 13 });
        Assert.Contains("count", Assert.Throws<InvalidOperationException>(() => longer.Generate(SpatialFixtures.BatchSize(root), new ReplayTaskRandom(SpatialFixtures.Draws(root)))).Message);
    }

    [Fact]
    public void NonFiniteDrawsAreReported()
    {
        var generator = new SpatialTrajectoryGenerator(new SpatialNavigationOptions { SequenceLength = 1 });
        var draws = new[]
        {
            RecordedTaskDraw.Uniform(-1.1, 1.1, [0.0]), RecordedTaskDraw.Uniform(-1.1, 1.1, [0.0]),
            RecordedTaskDraw.Uniform(0, 2 * Math.PI, [0.0]), RecordedTaskDraw.Normal(0, 11.52, [0.0, double.NaN]),
            RecordedTaskDraw.Rayleigh(0.26 * Math.PI, [1.0, 1.0]), RecordedTaskDraw.Normal(0, 0.26 * Math.PI * Math.PI / 2, [0.0]),
        };
        Assert.Contains("turn noise", Assert.Throws<InvalidOperationException>(() => generator.Generate(1, new ReplayTaskRandom(draws))).Message);
    }

    internal static void AssertClose(FixtureTensor expected, ReadOnlySpan<float> actual, double rel, double abs)
    {
        Assert.Equal(expected.Data.Length, actual.Length);
        double worst = 0;
        int worstIndex = -1;
        for (int i = 0; i < actual.Length; i++)
        {
            double err = Math.Abs(actual[i] - expected.Data[i]) / (abs + rel * Math.Abs(expected.Data[i]));
            if (!(err <= worst)) { worst = err; worstIndex = i; }
        }
        Assert.True(worst <= 1, $"Element {worstIndex} (shape [{string.Join(", ", expected.Shape)}]): expected {expected.Data[Math.Max(worstIndex, 0)]}, got {actual[Math.Max(worstIndex, 0)]} (error {worst:G3} x tolerance).");
    }
}
