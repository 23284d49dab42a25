using NoisyRnn.Tasks;

namespace NoisyRnn.Tests.Tasks;

public class SpatialTaskHardeningTests
{
    [Fact]
    public void CreateBatchRejectsNonFiniteVelocity()
    {
        var task = new SpatialNavigationTask(new SpatialNavigationOptions { SequenceLength = 2 }, PlaceCells.CreateRandom(8, 0.3, 2.2, 2.2, 1));
        var trajectories = new SpatialTrajectoryBatch(1, 2);
        trajectories.Velocity[3] = float.NaN;
        var e = Assert.Throws<ArgumentException>(() => task.CreateBatch(trajectories));
        Assert.Equal("trajectories", e.ParamName);
    }

    [Fact]
    public void OptionsThatOverflowTheTrajectoryAreReportedNotReturned()
    {
        // Every option is finite and in range, but speed 1e300 m/s x 0.02 s overflows float32 positions.
        var generator = new SpatialTrajectoryGenerator(new SpatialNavigationOptions { RayleighScale = 1e300, SequenceLength = 3 });
        var e = Assert.Throws<InvalidOperationException>(() => generator.Generate(1, new SeededTaskRandom(1)));
        Assert.Contains("RayleighScale", e.Message);
    }
}
