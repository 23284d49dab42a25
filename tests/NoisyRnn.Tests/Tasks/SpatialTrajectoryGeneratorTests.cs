using NoisyRnn.Tasks;

namespace NoisyRnn.Tests.Tasks;

public class SpatialTrajectoryGeneratorTests
{
    /// <summary>Positions are float32 roundings of float64 sums: consecutive differences match the stored velocity to a few float32 ulps of a ~1 m coordinate.</summary>
    private const float StepConsistencyTol = 1e-6f;

    /// <summary>
    /// The reference does not clamp positions: the border rule reacts only once the agent is within 3 cm of its nearest
    /// wall, so a fast full-speed step from just outside the border overshoots the wall (measured: 0.069 m over 200 x
    /// 2000 steps, seed 11). Passing 0.15 m needs a single step of 0.18 m, a speed of 9 m/s, Rayleigh tail ~1e-26.
    /// </summary>
    private const double WallOvershootTol = 0.15;

    [Fact]
    public void SameSeedSameBatchDifferentSeedDifferentBatch()
    {
        var generator = new SpatialTrajectoryGenerator(new SpatialNavigationOptions { SequenceLength = 20 });
        SpatialTrajectoryBatch a = generator.Generate(8, new SeededTaskRandom(5));
        SpatialTrajectoryBatch b = generator.Generate(8, new SeededTaskRandom(5));
        SpatialTrajectoryBatch c = generator.Generate(8, new SeededTaskRandom(6));
        Assert.Equal(a.Velocity, b.Velocity);
        Assert.Equal(a.InitialPosition, b.InitialPosition);
        Assert.Equal(a.Positions, b.Positions);
        Assert.Equal(a.HeadDirection, b.HeadDirection);
        Assert.Equal(a.Speed, b.Speed);
        Assert.NotEqual(a.Positions, c.Positions);

        var reused = new SpatialTrajectoryBatch(8, 20);
        generator.Generate(new SeededTaskRandom(5), reused);
        Assert.Equal(a.Positions, reused.Positions);
        Assert.Equal(a.Velocity, reused.Velocity);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OutputsAreConsistentWithEachOther(bool biased)
    {
        var generator = new SpatialTrajectoryGenerator(new SpatialNavigationOptions { SequenceLength = 50, Biased = biased, AnchorX = 0.4, AnchorY = -0.3 });
        SpatialTrajectoryBatch batch = generator.Generate(16, new SeededTaskRandom(9));
        int T = batch.TimeSteps;
        for (int b = 0; b < batch.BatchSize; b++)
        {
            for (int t = 0; t < T; t++)
            {
                int s = b * T + t;
                float prevX = t == 0 ? batch.InitialPosition[2 * b] : batch.Positions[2 * (s - 1)];
                float prevY = t == 0 ? batch.InitialPosition[2 * b + 1] : batch.Positions[2 * (s - 1) + 1];
                Assert.Equal(batch.Positions[2 * s] - prevX, batch.Velocity[2 * s], StepConsistencyTol);
                Assert.Equal(batch.Positions[2 * s + 1] - prevY, batch.Velocity[2 * s + 1], StepConsistencyTol);
                Assert.InRange(batch.HeadDirection[s], -MathF.PI, MathF.PI);
                Assert.True(batch.Speed[s] >= 0);
                if (!biased)
                {
                    // Without drift the displacement is the egocentric step along the heading.
                    float length = MathF.Sqrt(batch.Velocity[2 * s] * batch.Velocity[2 * s] + batch.Velocity[2 * s + 1] * batch.Velocity[2 * s + 1]);
                    Assert.Equal(batch.Speed[s], length, 1e-6f);
                    Assert.Equal(MathF.Atan2(batch.Velocity[2 * s + 1], batch.Velocity[2 * s]), batch.HeadDirection[s], AngleTolerance(batch.Speed[s]));
                }
            }
        }
    }

    private static float AngleTolerance(float length) => length < 1e-4f ? 10f : 1e-3f;

    [Fact]
    public void LongRunStaysInsideTheBox()
    {
        var options = new SpatialNavigationOptions { SequenceLength = 2000 };
        SpatialTrajectoryBatch batch = new SpatialTrajectoryGenerator(options).Generate(200, new SeededTaskRandom(11));
        double worst = 0;
        for (int i = 0; i < batch.Positions.Length; i += 2)
        {
            worst = Math.Max(worst, Math.Abs(batch.Positions[i]) - options.BoxWidth / 2);
            worst = Math.Max(worst, Math.Abs(batch.Positions[i + 1]) - options.BoxHeight / 2);
        }
        Assert.True(worst < WallOvershootTol, $"largest excursion beyond a wall: {worst} m");

        // And the agent covers the box: some trajectory gets within 5 cm of every wall.
        Assert.Contains(batch.Positions.Where((_, i) => i % 2 == 0), x => x > 1.05);
        Assert.Contains(batch.Positions.Where((_, i) => i % 2 == 0), x => x < -1.05);
    }

    [Fact]
    public void BiasedTrajectoriesEndCloserToTheAnchor()
    {
        // With drift 0.05 per step the offset to the anchor shrinks by 0.95 per step (0.95^100 = 0.006 of the start
        // offset is left). Headings persist (turn std 0.23 rad per step), so the agent circles the anchor at about
        // mean speed / drift rate = 1.02 m/s / 2.5 s^-1 = 0.41 m; unbiased trajectories end anywhere in the box
        // (mean distance from a uniform point in the box to (0.5, -0.4) is about 1.1 m). Seed 21: 0.32 vs 1.11 m.
        var anchor = (X: 0.5, Y: -0.4);
        double Final(bool biased)
        {
            var options = new SpatialNavigationOptions { Biased = biased, AnchorX = anchor.X, AnchorY = anchor.Y };
            SpatialTrajectoryBatch batch = new SpatialTrajectoryGenerator(options).Generate(200, new SeededTaskRandom(21));
            double sum = 0;
            for (int b = 0; b < batch.BatchSize; b++)
            {
                int s = b * batch.TimeSteps + batch.TimeSteps - 1;
                sum += Math.Sqrt(Math.Pow(batch.Positions[2 * s] - anchor.X, 2) + Math.Pow(batch.Positions[2 * s + 1] - anchor.Y, 2));
            }
            return sum / batch.BatchSize;
        }

        double biasedDistance = Final(true), unbiasedDistance = Final(false);
        Assert.True(biasedDistance < 0.45, $"biased mean final distance {biasedDistance} m");
        Assert.True(unbiasedDistance > 0.8, $"unbiased mean final distance {unbiasedDistance} m");
        Assert.True(biasedDistance < 0.5 * unbiasedDistance);
    }

    [Fact]
    public void BadArgumentsThrowNamingTheParameter()
    {
        var generator = new SpatialTrajectoryGenerator(new SpatialNavigationOptions { SequenceLength = 5 });
        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => generator.Generate(0, new SeededTaskRandom(0))).ParamName);
        Assert.Equal("random", Assert.Throws<ArgumentNullException>(() => generator.Generate(1, null!)).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => generator.Generate(new SeededTaskRandom(0), new SpatialTrajectoryBatch(2, 6))).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => new SpatialTrajectoryGenerator(null!)).ParamName);
        Assert.Equal("timeSteps", Assert.Throws<ArgumentOutOfRangeException>(() => new SpatialTrajectoryBatch(1, 0)).ParamName);
    }

    public static TheoryData<string, SpatialNavigationOptions> BadOptions => new()
    {
        { nameof(SpatialNavigationOptions.BoxWidth), new() { BoxWidth = 0 } },
        { nameof(SpatialNavigationOptions.BoxHeight), new() { BoxHeight = double.NaN } },
        { nameof(SpatialNavigationOptions.Dt), new() { Dt = -0.02 } },
        { nameof(SpatialNavigationOptions.TurnStd), new() { TurnStd = -1 } },
        { nameof(SpatialNavigationOptions.RayleighScale), new() { RayleighScale = 0 } },
        { nameof(SpatialNavigationOptions.BorderRegion), new() { BorderRegion = double.PositiveInfinity } },
        { nameof(SpatialNavigationOptions.BorderSlowFactor), new() { BorderSlowFactor = 1.5 } },
        { nameof(SpatialNavigationOptions.DriftConstant), new() { DriftConstant = -0.1 } },
        { nameof(SpatialNavigationOptions.AnchorX), new() { AnchorX = double.NaN } },
        { nameof(SpatialNavigationOptions.AnchorY), new() { AnchorY = double.NegativeInfinity } },
        { nameof(SpatialNavigationOptions.SequenceLength), new() { SequenceLength = 0 } },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void ValidateNamesTheBadProperty(string property, SpatialNavigationOptions options)
    {
        Assert.Equal(property, Assert.Throws<ArgumentOutOfRangeException>(options.Validate).ParamName);
        Assert.Equal(property, Assert.Throws<ArgumentOutOfRangeException>(() => new SpatialTrajectoryGenerator(options)).ParamName);
    }

    [Fact]
    public void DefaultsAreThePapersValues()
    {
        var o = new SpatialNavigationOptions();
        o.Validate();
        Assert.Equal((2.2, 2.2, 0.02, 11.52, 0.26 * Math.PI, 0.03, 0.25, false, 0.05, 0.0, 0.0, 100),
            (o.BoxWidth, o.BoxHeight, o.Dt, o.TurnStd, o.RayleighScale, o.BorderRegion, o.BorderSlowFactor, o.Biased, o.DriftConstant, o.AnchorX, o.AnchorY, o.SequenceLength));
    }

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(-1e-300, 2 * Math.PI)] // numpy too: fmod gives -1e-300, adding 2 pi rounds to 2 pi exactly
    [InlineData(-0.5, 2 * Math.PI - 0.5)]
    [InlineData(7.0, 7.0 - 2 * Math.PI)]
    [InlineData(-7.0, 4 * Math.PI - 7.0)]
    public void NumpyModIsNonNegative(double value, double expected)
    {
        double r = SpatialTrajectoryGenerator.NumpyMod(value, 2 * Math.PI);
        Assert.Equal(expected, r, 1e-12);
        Assert.True(r >= 0 && r <= 2 * Math.PI); // the closed upper end is the rounding case above
    }
}
