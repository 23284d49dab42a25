using NoisyRnn.Tasks;

namespace NoisyRnn.Tests.Tasks;

public class RecordedTrajectoriesTests
{
    private static SpatialNavigationTask SpatialTask(int steps) =>
        new(new SpatialNavigationOptions { SequenceLength = steps }, PlaceCells.CreateRandom(32, 0.2, 2.2, 2.2, seed: 1));

    private static HeadDirectionTask HeadTask(int steps) =>
        new(new HeadDirectionOptions { SequenceLength = steps }, new HeadDirectionCells(36, Math.PI / 6));

    /// <summary>Straight line x = 0.5 t, y = -0.2 sampled every 0.05 s for 0.4 s (mixed spacing in the header and values).</summary>
    private const string Clean = "t, x ,y\n0,0,-0.2\n0.05,0.025,-0.2\n0.1,0.05,-0.2\n0.15,0.075,-0.2\n0.2,0.1,-0.2\n0.25,0.125,-0.2\n0.3,0.15,-0.2\n0.35,0.175,-0.2\n0.4,0.2,-0.2\n";

    [Fact]
    public void CleanFileIsResampledToDtAndBecomesABatch()
    {
        var rec = RecordedTrajectories.Parse(Clean);
        Assert.Equal(RecordedTrajectoryKind.Positions, rec.Kind);
        Assert.Equal(1, rec.SegmentCount);
        ReadOnlySpan<double> s = rec.Segment(0);
        Assert.Equal(21 * 2, s.Length); // 0 .. 0.4 s every 0.02 s
        for (int k = 0; k < 21; k++)
        {
            Assert.Equal(0.5 * 0.02 * k, s[2 * k], 12);
            Assert.Equal(-0.2, s[2 * k + 1], 12);
        }

        var task = SpatialTask(5);
        Assert.Equal(4, rec.CountWindows(5));
        SpatialNavigationBatch batch = rec.CreateBatch(task);
        Assert.Equal((4, 5), (batch.BatchSize, batch.TimeSteps));
        Assert.All(batch.Inputs.Chunk(2), v => { Assert.Equal(0.01f, v[0], 1e-6f); Assert.Equal(0f, v[1], 1e-6f); });
        Assert.Equal(0.05f, batch.InitialPosition[2], 1e-6f); // window 1 starts at sample 5 = 0.1 s
        Assert.Equal(0.1f, batch.Positions[2 * (5 + 4)], 1e-6f); // its last target is sample 10 = 0.2 s
        Assert.All(batch.Trajectories.Speed, v => Assert.Equal(0.01f, v, 1e-6f));
        var expected = new float[batch.Targets.Length];
        task.PlaceCells.Encode(batch.Positions, expected);
        Assert.Equal(expected, batch.Targets);
        // Inputs integrate to the targets.
        Assert.Equal(batch.InitialPosition[0] + batch.Inputs.Where((_, i) => i % 2 == 0).Take(5).Sum(), batch.Positions[8], 1e-5f);
    }

    [Fact]
    public void GapLongerThanMaxGapSplitsTheRecording()
    {
        string csv = "t,x,y\n0,0,0\n0.1,0.1,0\n0.2,0.2,0\n1.5,0.3,0\n1.6,0.3,0.1\n1.7,0.3,0.2\n";
        var rec = RecordedTrajectories.Parse(csv);
        Assert.Equal(2, rec.SegmentCount);
        Assert.Equal(11 * 2, rec.Segment(0).Length);
        Assert.Equal(0.3, rec.Segment(1)[0], 12);
        Assert.Equal(2, rec.CountWindows(10)); // one 10-step window per segment, none across the gap
        var merged = RecordedTrajectories.Parse(csv, new RecordedTrajectoryOptions { MaxGap = 2 });
        Assert.Equal(1, merged.SegmentCount);
        Assert.Equal(86 * 2, merged.Segment(0).Length);
    }

    [Theory]
    [InlineData("t,x,y\n0,0,0\n0.1,NaN,0\n0.2,0.2,0\n", 3)]
    [InlineData("t,x,y\n0,0,0\n0.1,0.1,\n0.2,0.2,0\n", 3)]
    [InlineData("t,heading\n0,0\n\n0.1, \n0.2,0.2\n", 4)]
    public void MissingValueIsAnErrorNamingTheLineUnlessRepairIsAsked(string csv, int line)
    {
        var e = Assert.Throws<InvalidDataException>(() => RecordedTrajectories.Parse(csv));
        Assert.StartsWith($"line {line}:", e.Message);
        var rec = RecordedTrajectories.Parse(csv, new RecordedTrajectoryOptions { InterpolateMissing = true });
        ReadOnlySpan<double> s = rec.Segment(0);
        int w = rec.Width;
        Assert.Equal(11 * w, s.Length);
        Assert.Equal(0.1, s[5 * w], 12); // the missing row is bridged linearly
    }

    [Fact]
    public void RepairTrimsMissingRowsAtTheEndsAndSplitsLongMissingRuns()
    {
        var options = new RecordedTrajectoryOptions { InterpolateMissing = true, MaxGap = 0.15 };
        var rec = RecordedTrajectories.Parse("t,x,y\n0,,0\n0.1,0.1,0\n0.2,0.2,0\n0.3,NaN,0\n0.4,NaN,0\n0.5,0.5,0\n0.6,0.6,0\n0.7,,\n", options);
        Assert.Equal(2, rec.SegmentCount); // 0.2 -> 0.5 s without a usable row is longer than MaxGap
        Assert.Equal(0.1, rec.Segment(0)[0], 12);
        Assert.Equal(6 * 2, rec.Segment(0).Length);
        Assert.Equal(6 * 2, rec.Segment(1).Length); // 0.5 .. 0.6 s; the trailing missing row is trimmed
    }

    [Fact]
    public void AbsurdlyLongSegmentIsRefused() =>
        Assert.Throws<InvalidDataException>(() => RecordedTrajectories.Parse("t,heading\n0,0\n1e7,0\n", new RecordedTrajectoryOptions { MaxGap = 1e8 }));

    [Theory]
    [InlineData("t,x,y\n0,0,0\n0.1,0.1,0\n0.05,0.2,0\n", 4)]
    [InlineData("t,x,y\n0,0,0\n0.1,0.1,0\n0.1,0.2,0\n", 4)]
    [InlineData("t,x,y\n0,0,0\n,0.1,0\n", 3)]
    [InlineData("t,x,y\n0,0,0\n0.1,abc,0\n", 3)]
    [InlineData("t,x,y\n0,0,0\n0.1,0.1\n", 3)]
    [InlineData("t,x,y\n0,0,0\n0.1,0.1,Infinity\n", 3)]
    [InlineData("time,x,y\n0,0,0\n", 1)]
    public void BadRowsAreErrorsNamingTheLine(string csv, int line)
    {
        var e = Assert.Throws<InvalidDataException>(() => RecordedTrajectories.Parse(csv, new RecordedTrajectoryOptions { InterpolateMissing = true }));
        Assert.StartsWith($"line {line}:", e.Message);
    }

    [Fact]
    public void FarOutsideIsAnErrorAndSmallExcursionsAreClamped()
    {
        var e = Assert.Throws<InvalidDataException>(() => RecordedTrajectories.Parse("t,x,y\n0,0,0\n0.02,1.3,0\n"));
        Assert.StartsWith("line 3:", e.Message);
        var rec = RecordedTrajectories.Parse("t,x,y\n0,1.0,0\n0.02,1.13,-1.12\n");
        Assert.Equal(new[] { 1.0, 0.0, 1.1, -1.1 }, rec.Segment(0).ToArray());
        Assert.Throws<InvalidDataException>(() => RecordedTrajectories.Parse("t,x,y\n0,1.0,0\n0.02,1.13,0\n", new RecordedTrajectoryOptions { OutsideTolerance = 0.01 }));
    }

    [Fact]
    public void HeadingCrossingPiIsUnwrappedInterpolatedAndRewrapped()
    {
        // 3.0 -> -3.0 rad is a turn of +0.283 rad across +pi, not -6 rad.
        string csv = "t,heading\n0,3.0\n0.1,-3.0\n0.2,-2.8\n";
        var rec = RecordedTrajectories.Parse(csv);
        Assert.Equal(RecordedTrajectoryKind.Headings, rec.Kind);
        ReadOnlySpan<double> s = rec.Segment(0);
        Assert.Equal(11, s.Length);
        double turn = 2 * Math.PI - 6.0;
        Assert.Equal(3.0 + 0.4 * turn, s[2], 12); // t = 0.04 s; unwrapped, so above pi
        Assert.Equal(3.0 + turn, s[5], 12);

        var task = HeadTask(5);
        HeadDirectionBatch batch = rec.CreateBatch(task);
        Assert.Equal(2, batch.BatchSize);
        Assert.All(batch.Inputs.Take(5), v => Assert.Equal(turn / 5, v, 1e-6));
        Assert.All(batch.Headings, h => Assert.InRange(h, -Math.PI, Math.PI));
        Assert.Equal((float)Angles.Wrap(3.0 + turn / 5), batch.Headings[0]);
        Assert.Equal(-3.0f, batch.Headings[4], 1e-6f);
        Assert.Equal(3.0f, batch.InitialHeading[0]);
        var expected = new float[batch.Targets.Length];
        task.Cells.Encode(batch.Headings, expected);
        Assert.Equal(expected, batch.Targets);
    }

    [Fact]
    public void BatchMisuseIsRejected()
    {
        var positions = RecordedTrajectories.Parse(Clean);
        var headings = RecordedTrajectories.Parse("t,heading\n0,0\n0.4,1\n");
        Assert.Throws<InvalidOperationException>(() => positions.CreateBatch(HeadTask(5)));
        Assert.Throws<InvalidOperationException>(() => headings.CreateBatch(SpatialTask(5)));
        Assert.Throws<InvalidOperationException>(() => positions.CreateBatch(SpatialTask(50))); // no window long enough
        var other = new SpatialNavigationTask(new SpatialNavigationOptions { SequenceLength = 5, Dt = 0.01 }, PlaceCells.CreateRandom(8, 0.2, 2.2, 2.2, 1));
        Assert.Equal("task", Assert.Throws<ArgumentException>(() => positions.CreateBatch(other)).ParamName);
        Assert.Equal("task", Assert.Throws<ArgumentNullException>(() => positions.CreateBatch((SpatialNavigationTask)null!)).ParamName);
        Assert.Equal("Dt", Assert.Throws<ArgumentOutOfRangeException>(() => RecordedTrajectories.Parse(Clean, new RecordedTrajectoryOptions { Dt = 0 })).ParamName);
        Assert.Equal("MaxGap", Assert.Throws<ArgumentOutOfRangeException>(() => RecordedTrajectories.Parse(Clean, new RecordedTrajectoryOptions { MaxGap = double.NaN })).ParamName);
        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(() => positions.Segment(1)).ParamName);
        Assert.Throws<InvalidDataException>(() => RecordedTrajectories.Parse("\n\n"));
        Assert.Throws<InvalidDataException>(() => RecordedTrajectories.Parse("t,x,y\n"));
    }

    [Fact]
    public void LoadReadsAFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"noisyrnn-rec-{Guid.NewGuid():N}.csv");
        try
        {
            File.WriteAllText(path, Clean);
            Assert.Equal(RecordedTrajectories.Parse(Clean).Segment(0).ToArray(), RecordedTrajectories.Load(path).Segment(0).ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void RecordingTooLongForOneBatchIsAClearError()
    {
        // 10500 s at 0.02 s: 26250 windows of 20 steps; x 4096 cells is more values than one array holds. This used to
        // be an OverflowException from the batch's allocation.
        var options = new RecordedTrajectoryOptions { MaxGap = 1e9 };
        var spatial = new SpatialNavigationTask(new SpatialNavigationOptions { SequenceLength = 20 }, PlaceCells.CreateRandom(4096, 0.2, 2.2, 2.2, seed: 1));
        var positions = RecordedTrajectories.Parse("t,x,y\n0,0,0\n10500,0.1,0.1\n", options);
        var e = Assert.Throws<InvalidOperationException>(() => positions.CreateBatch(spatial));
        Assert.Contains("26250 windows", e.Message);

        var head = new HeadDirectionTask(new HeadDirectionOptions { SequenceLength = 20 }, new HeadDirectionCells(4096, Math.PI / 6));
        var headings = RecordedTrajectories.Parse("t,heading\n0,0\n10500,1\n", options);
        e = Assert.Throws<InvalidOperationException>(() => headings.CreateBatch(head));
        Assert.Contains("26250 windows", e.Message);
    }

    [Theory]
    [InlineData("1e20")]
    [InlineData("-1e300")]
    public void HeadingsTooLargeToResolveAnAngleAreRejected(string heading)
    {
        // At 1e20 rad one float64 step is 16384 rad: the angle (and every turn computed from it) would be noise.
        var e = Assert.Throws<InvalidDataException>(() => RecordedTrajectories.Parse($"t,heading\n0,0\n0.02,{heading}\n0.04,0\n"));
        Assert.StartsWith("line 3:", e.Message);
        Assert.Contains("heading", e.Message);
    }
}
