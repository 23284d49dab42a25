using NoisyRnn.Tasks;

namespace NoisyRnn.Tests.Tasks;

public class SpatialNavigationTaskTests
{
    /// <summary>Rows of a softmax sum to 1 up to float32 rounding.</summary>
    private const float SumTol = 1e-5f;

    [Fact]
    public void NextBatchHasTheNetworkShapesAndEncodesThePositions()
    {
        var cells = PlaceCells.CreateRandom(64, 0.2, 2.2, 2.2, seed: 1);
        var task = new SpatialNavigationTask(new SpatialNavigationOptions { SequenceLength = 10 }, cells);
        SpatialNavigationBatch batch = task.NextBatch(6, new SeededTaskRandom(2));

        Assert.Equal((6, 10, 64, 2, 64), (batch.BatchSize, batch.TimeSteps, batch.CellCount, task.InputSize, task.OutputSize));
        Assert.Equal(6 * 10 * 2, batch.Inputs.Length);
        Assert.Equal(6 * 64, batch.InitialState.Length);
        Assert.Equal(6 * 10 * 64, batch.Targets.Length);
        Assert.Same(batch.Trajectories.Velocity, batch.Inputs);

        var expected = new float[batch.Targets.Length];
        cells.Encode(batch.Positions, expected);
        Assert.Equal(expected, batch.Targets);
        var init = new float[batch.InitialState.Length];
        cells.Encode(batch.InitialPosition, init);
        Assert.Equal(init, batch.InitialState);
        for (int r = 0; r < 6; r++) Assert.Equal(1f, batch.InitialState.AsSpan(r * 64, 64).ToArray().Sum(), SumTol);

        var reused = new SpatialNavigationBatch(6, 10, 64);
        task.NextBatch(new SeededTaskRandom(2), reused);
        Assert.Equal(batch.Targets, reused.Targets);
        Assert.Equal(batch.Inputs, reused.Inputs);

        SpatialNavigationBatch rebuilt = task.CreateBatch(batch.Trajectories);
        Assert.Equal(batch.Targets, rebuilt.Targets);
    }

    [Fact]
    public void BadArgumentsThrowNamingTheParameter()
    {
        var cells = PlaceCells.CreateRandom(8, 0.2, 2.2, 2.2, seed: 1);
        var task = new SpatialNavigationTask(new SpatialNavigationOptions { SequenceLength = 4 }, cells);
        Assert.Equal("placeCells", Assert.Throws<ArgumentNullException>(() => new SpatialNavigationTask(new SpatialNavigationOptions(), null!)).ParamName);
        Assert.Equal("Dt", Assert.Throws<ArgumentOutOfRangeException>(() => new SpatialNavigationTask(new SpatialNavigationOptions { Dt = 0 }, cells)).ParamName);
        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => task.NextBatch(-1, new SeededTaskRandom(0))).ParamName);
        Assert.Equal("random", Assert.Throws<ArgumentNullException>(() => task.NextBatch(2, null!)).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => task.NextBatch(new SeededTaskRandom(0), new SpatialNavigationBatch(2, 4, 9))).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => task.NextBatch(new SeededTaskRandom(0), new SpatialNavigationBatch(2, 5, 8))).ParamName);
        Assert.Equal("cellCount", Assert.Throws<ArgumentOutOfRangeException>(() => new SpatialNavigationBatch(2, 5, 0)).ParamName);

        var bad = new SpatialTrajectoryBatch(1, 4);
        bad.Positions[3] = float.NaN;
        Assert.Equal("positions", Assert.Throws<ArgumentException>(() => task.CreateBatch(bad)).ParamName);
    }
}
