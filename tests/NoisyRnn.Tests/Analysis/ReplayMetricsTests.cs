using NoisyRnn.Analysis;
using NoisyRnn.Tasks;
using Xunit.Abstractions;

namespace NoisyRnn.Tests.Analysis;

/// <summary>Replay metrics on paths with known answers: random walks (α = 1), ballistic motion (α = 2), scaled copies, known coverage.</summary>
public class ReplayMetricsTests(ITestOutputHelper output)
{
    private const double Dt = 0.02;

    // Deviation allowed for a statistic with a derived standard error; seeds are fixed.
    private const double StandardErrors = 4;

    // Float32 storage of the paths: relative rounding of one coordinate.
    private const double FloatRounding = 1e-6;

    private static float[] RandomWalk(int batch, int time, int dims, double stepStd, int seed, double start = 0)
    {
        double[] z = AnalysisTestData.Normal(batch * time * dims, seed, 0, stepStd);
        var path = new float[z.Length];
        for (int b = 0; b < batch; b++)
        {
            for (int k = 0; k < dims; k++)
            {
                double x = start;
                for (int t = 0; t < time; t++)
                {
                    int i = (b * time + t) * dims + k;
                    if (t > 0) x += z[i];
                    path[i] = (float)x;
                }
            }
        }
        return path;
    }

    [Fact]
    public void RandomWalkExponentIsOneWithinItsStandardError()
    {
        // 64 independent walks of 400 steps, Gaussian steps of 1 cm: MSD(L) = 2 · 1e-4 · L exactly in expectation.
        var paths = DecodedPaths.Planar(RandomWalk(64, 400, 2, 0.01, 1), 64, 400, Dt);
        DiffusionFit fit = ReplayAnalysis.FitDiffusion(paths, 1, 40, 12);
        output.WriteLine($"alpha {fit.Exponent:F4} ± {fit.ExponentStandardError:F4} (fit se {fit.FitStandardError:F4}), K {fit.Prefactor:F5}");
        // The jackknife standard error is itself an estimate: the test also bounds it by its expected size for
        // independent chains, ~ 1/√(chains · time / lag) ≈ 0.03 here, so a broken (tiny) error estimate fails.
        Assert.InRange(fit.ExponentStandardError!.Value, 0.003, 0.05);
        Assert.InRange(fit.Exponent!.Value, 1 - StandardErrors * fit.ExponentStandardError.Value, 1 + StandardErrors * fit.ExponentStandardError.Value);
        // K = MSD / τ: 2 · 1e-4 m² per 0.02 s = 0.01 m²/s, within the same relative error.
        Assert.InRange(fit.Prefactor!.Value, 0.01 * 0.8, 0.01 * 1.25);
        // round(40^(i/11)), i = 0..11: 1 appears twice.
        Assert.Equal([1, 2, 3, 4, 5, 7, 10, 15, 20, 29, 40], fit.LagsSeconds.Select(s => (int)Math.Round(s / Dt)));
    }

    [Fact]
    public void BallisticExponentIsTwo()
    {
        // x(t) = x0 + v t with one random velocity per chain: MSD(L) = mean |v|² (L Δt)², exactly a power 2.
        const int batch = 20, time = 200;
        double[] v = AnalysisTestData.Normal(2 * batch, 2, 0, 0.3), x0 = AnalysisTestData.Uniform(2 * batch, 3, -1, 1);
        var path = new float[batch * time * 2];
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < time; t++)
                for (int k = 0; k < 2; k++) path[(b * time + t) * 2 + k] = (float)(x0[2 * b + k] + v[2 * b + k] * t * Dt);
        var fit = ReplayAnalysis.FitDiffusion(DecodedPaths.Planar(path, batch, time, Dt), 1, 50, 10);
        output.WriteLine($"alpha {fit.Exponent:F6} ± {fit.ExponentStandardError:E2}");
        Assert.Equal(2.0, fit.Exponent!.Value, 3); // float32 positions: relative error ~1e-6 on each displacement
        Assert.True(fit.ExponentStandardError < 1e-3);
        // Super-diffusive plus noise on the circle: a constant angular velocity of 1 rad/s crossing ±π many times.
        var headings = new float[batch * time];
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < time; t++) headings[b * time + t] = (float)Angles.Wrap(x0[b] * 3 + (1 + 0.1 * b) * t * Dt * 10);
        var circular = ReplayAnalysis.FitDiffusion(DecodedPaths.Circular(headings, batch, time, Dt), 1, 50, 10);
        Assert.Equal(2.0, circular.Exponent!.Value, 3);
    }

    [Fact]
    public void CircularRandomWalkIsDiffusiveAndItsSpeedIsTheMeanStep()
    {
        // Steps N(0, 0.2²) rad wrapped to [−π, π): many crossings of ±π, which only circular differences see as small.
        const int batch = 64, time = 400;
        float[] walk = RandomWalk(batch, time, 1, 0.2, 4, start: 3.0);
        float[] wrapped = [.. walk.Select(a => (float)Angles.Wrap(a))];
        var paths = DecodedPaths.Circular(wrapped, batch, time, Dt);
        var metrics = ReplayAnalysis.Measure(paths, null, new ReplayOptions { MaxLag = 40 });
        output.WriteLine($"alpha {metrics.DiffusionExponent:F4} ± {metrics.DiffusionExponentStandardError:F4}, speed {metrics.Speed:F4}");
        Assert.InRange(metrics.DiffusionExponent!.Value, 1 - StandardErrors * metrics.DiffusionExponentStandardError!.Value, 1 + StandardErrors * metrics.DiffusionExponentStandardError.Value);
        // E|step| = 0.2 √(2/π); its sample mean over N = batch (time − 1) steps has standard error 0.2 √((1 − 2/π)/N).
        double expected = 0.2 * Math.Sqrt(2 / Math.PI) / Dt, se = 0.2 * Math.Sqrt((1 - 2 / Math.PI) / (batch * (time - 1.0))) / Dt;
        Assert.InRange(metrics.Speed, expected - StandardErrors * se, expected + StandardErrors * se);
        Assert.Equal(metrics.Speed, metrics.PathLengthPerSecond, 12);
        Assert.Equal("rad", metrics.Unit);
        Assert.Null(metrics.SpeedRatio);
        Assert.Null(metrics.OccupancyWasserstein2);
    }

    [Fact]
    public void SpeedRatioOfScaledCopiesIsTheScale()
    {
        const int batch = 10, time = 100;
        float[] walk = RandomWalk(batch, time, 2, 0.01, 5);
        var reference = DecodedPaths.Planar(walk, batch, time, Dt);
        foreach (double scale in new[] { 0.5, 3.0 })
        {
            var scaled = DecodedPaths.Planar([.. walk.Select(v => (float)(v * scale))], batch, time, Dt);
            foreach (int lag in new[] { 1, 5 })
            {
                var m = ReplayAnalysis.Measure(scaled, reference, new ReplayOptions { SpeedLag = lag, ArenaWidth = 10, ArenaHeight = 10, Wasserstein2Points = 50 });
                Assert.Equal(scale, m.SpeedRatio!.Value, scale * 10 * FloatRounding);
            }
        }
        // A path along a circle of radius 0.5 m at 1 rad/s, and the same path sampled every second step at the same Δt: the
        // chord over 5 steps of the fast copy is the chord over 10 steps of the slow one, so the fast one is twice as fast.
        var slow = new float[batch * time * 2];
        var fast = new float[batch * (time / 2) * 2];
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < time; t++)
            {
                slow[(b * time + t) * 2] = (float)(0.5 * Math.Cos(b + t * Dt));
                slow[(b * time + t) * 2 + 1] = (float)(0.5 * Math.Sin(b + t * Dt));
            }
            for (int t = 0; t < time / 2; t++)
                for (int k = 0; k < 2; k++) fast[(b * (time / 2) + t) * 2 + k] = slow[(b * time + 2 * t) * 2 + k];
        }
        double ratio = ReplayAnalysis.Speed(DecodedPaths.Planar(fast, batch, time / 2, Dt), 5) / ReplayAnalysis.Speed(DecodedPaths.Planar(slow, batch, time, Dt), 10);
        Assert.Equal(2.0, ratio, 4); // float32 chords of ~0.1 m: relative rounding ~1e-5
    }

    [Fact]
    public void CoverageOfAKnownPath()
    {
        // Arena 1 m × 1 m with 0.25 m cells (16 cells): a path visiting the cell centres row by row, one per step.
        const int time = 20;
        var path = new float[time * 2];
        for (int t = 0; t < time; t++)
        {
            int cell = Math.Min(t, 15);
            path[2 * t] = (float)(-0.5 + 0.125 + 0.25 * (cell % 4));
            path[2 * t + 1] = (float)(-0.5 + 0.125 + 0.25 * (cell / 4));
        }
        // A second chain that stays in one cell, and a third that leaves the arena after its start.
        var still = Enumerable.Repeat(0.1f, time * 2).ToArray();
        var outside = Enumerable.Repeat(5f, time * 2).ToArray();
        outside[0] = outside[1] = -0.4f;
        var paths = DecodedPaths.Planar([.. path, .. still, .. outside], 3, time, Dt);
        var options = new ReplayOptions { ArenaWidth = 1, ArenaHeight = 1, CellSize = 0.25, CoverageFraction = 0.5, MaxLag = 5 };
        double[] times = ReplayAnalysis.CoverageTimes(paths, options);
        Assert.Equal(7 * Dt, times[0], 12); // the 8th cell is reached at step 7
        Assert.Equal(double.PositiveInfinity, times[1]);
        Assert.Equal(double.PositiveInfinity, times[2]);
        double[] curve = ReplayAnalysis.CoverageCurve(paths, options);
        Assert.Equal((1 + 1 + 1) / 48.0, curve[0], 12);
        Assert.Equal((16 + 1 + 1) / 48.0, curve[^1], 12);
        var metrics = ReplayAnalysis.Measure(paths, null, options);
        Assert.Null(metrics.CoverageTimeSeconds); // two of three chains never get there
        Assert.Equal(metrics.CoverageTimeSeconds, ReplayAnalysis.Measure(DecodedPaths.Planar([.. path, .. still], 2, time, Dt), null, options).CoverageTimeSeconds);
        Assert.Equal(7 * Dt, ReplayAnalysis.Measure(DecodedPaths.Planar(path, 1, time, Dt), null, options).CoverageTimeSeconds!.Value, 12);

        // Circle, 4 bins: headings at the four bin centres in turn, starting in the bin [π/2, π): half covered at step 1.
        float[] headings = [(float)(3 * Math.PI / 4), (float)(-3 * Math.PI / 4), (float)(-Math.PI / 4), (float)(Math.PI / 4), 0.1f];
        var circle = DecodedPaths.Circular(headings, 1, 5, Dt);
        var circleOptions = new ReplayOptions { AngleBins = 4, CoverageFraction = 0.5, MaxLag = 3 };
        Assert.Equal(1 * Dt, ReplayAnalysis.CoverageTimes(circle, circleOptions)[0], 12);
        Assert.Equal([0.25, 0.5, 0.75, 1, 1], ReplayAnalysis.CoverageCurve(circle, circleOptions));
    }

    [Fact]
    public void StepQuantilesAndOccupancyDistance()
    {
        // One chain along x with steps 1, 2, ..., 100 mm: the R-7 quantile at level q is 1 + 99 q mm.
        const int time = 101;
        var path = new float[time * 2];
        double x = -1;
        for (int t = 0; t < time; t++)
        {
            if (t > 0) x += 0.001 * t;
            path[2 * t] = (float)x;
        }
        var paths = DecodedPaths.Planar(path, 1, time, Dt);
        var m = ReplayAnalysis.Measure(paths, null, new ReplayOptions { ArenaWidth = 10 });
        for (int i = 0; i < m.StepQuantileLevels.Length; i++)
            Assert.Equal(0.001 * (1 + 99 * m.StepQuantileLevels[i]), m.StepQuantiles[i], 5);
        Assert.Equal(0.001 * 50.5 / Dt, m.PathLengthPerSecond, 4);
        Assert.Null(m.DiffusionExponentStandardError); // one chain: no jackknife

        // Occupancy: a copy shifted by (0.3, −0.4) is 0.5 m away (subsample = all 500 points: exact); the floor compares
        // disjoint halves of the reference.
        float[] walk = RandomWalk(10, 50, 2, 0.01, 6);
        float[] shifted = new float[walk.Length];
        for (int i = 0; i < walk.Length; i += 2)
        {
            shifted[i] = walk[i] + 0.3f;
            shifted[i + 1] = walk[i + 1] - 0.4f;
        }
        var metrics = ReplayAnalysis.Measure(DecodedPaths.Planar(shifted, 10, 50, Dt), DecodedPaths.Planar(walk, 10, 50, Dt));
        Assert.Equal(0.5, metrics.OccupancyWasserstein2!.Value, 5); // float32 shifts
        Assert.NotNull(metrics.OccupancyWasserstein2Floor);
        Assert.Equal(1.0, metrics.SpeedRatio!.Value, 5);
        // Circle: rotated copy across ±π.
        float[] angles = [.. RandomWalk(10, 100, 1, 0.01, 7, start: 3.0).Select(a => (float)Angles.Wrap(a))];
        float[] rotated = [.. angles.Select(a => (float)Angles.Wrap(a + 0.25))];
        var circular = ReplayAnalysis.Measure(DecodedPaths.Circular(rotated, 10, 100, Dt), DecodedPaths.Circular(angles, 10, 100, Dt), new ReplayOptions { MaxLag = 10 });
        Assert.Equal(0.25, circular.OccupancyWasserstein2!.Value, 5);
    }

    [Fact]
    public void WindowsTaskPathsAndBadArguments()
    {
        float[] walk = RandomWalk(3, 50, 2, 0.01, 8);
        var paths = DecodedPaths.Planar(walk, 3, 50, Dt);
        var window = paths.Window(10, 30);
        Assert.Equal(30, window.Time);
        Assert.Equal(walk[(1 * 50 + 10) * 2 + 1], window.OccupancyPoints()[(1 * 30) * 2 + 1]);
        Assert.Equal("length", Assert.Throws<ArgumentOutOfRangeException>(() => paths.Window(40, 20)).ParamName);
        Assert.Equal("positions", Assert.Throws<ArgumentException>(() => DecodedPaths.Planar(walk, 3, 49, Dt)).ParamName);
        Assert.Equal("time", Assert.Throws<ArgumentOutOfRangeException>(() => DecodedPaths.Circular([0f], 1, 1, Dt)).ParamName);
        Assert.Equal("stepSeconds", Assert.Throws<ArgumentOutOfRangeException>(() => DecodedPaths.Planar(walk, 3, 50, 0)).ParamName);
        Assert.Equal("maxLag", Assert.Throws<ArgumentOutOfRangeException>(() => ReplayAnalysis.Measure(paths, null, new ReplayOptions { MaxLag = 50 })).ParamName);
        Assert.Equal("MaxLag", Assert.Throws<ArgumentOutOfRangeException>(() => ReplayAnalysis.Measure(paths, null, new ReplayOptions { MinLag = 5, MaxLag = 5 })).ParamName);
        Assert.Equal("CoverageFraction", Assert.Throws<ArgumentOutOfRangeException>(() => ReplayAnalysis.Measure(paths, null, new ReplayOptions { CoverageFraction = 0 })).ParamName);
        Assert.Equal("reference", Assert.Throws<ArgumentException>(() =>
            ReplayAnalysis.Measure(paths, DecodedPaths.Circular(new float[150], 3, 50, Dt))).ParamName);
        Assert.Equal("lag", Assert.Throws<ArgumentOutOfRangeException>(() => ReplayAnalysis.Speed(paths, 50)).ParamName);
        // A path that never moves has no exponent (MSD 0), not a NaN.
        var still = ReplayAnalysis.Measure(DecodedPaths.Planar(new float[2 * 40], 1, 40, Dt), null);
        Assert.Null(still.DiffusionExponent);
        Assert.Equal(0, still.Speed);
        // From a task: the head-direction task decodes circular headings.
        var task = new HeadDirectionTask(new HeadDirectionOptions(), new HeadDirectionCells(8, Math.PI / 6));
        Assert.True(DecodedPaths.FromTask(task, new float[2 * 10], 2, 10, Dt).IsCircular);
    }
}
