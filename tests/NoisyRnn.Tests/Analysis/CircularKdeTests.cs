using NoisyRnn.Analysis;
using NoisyRnn.Noise;
using NoisyRnn.Theory;
using Xunit.Abstractions;

namespace NoisyRnn.Tests.Analysis;

public class CircularKdeTests(ITestOutputHelper output)
{
    // Quantities equal in exact arithmetic that differ by a few double roundings of terms of size up to κ.
    private const double DoubleRounding = 1e-10;

    // The trapezoid rule over one period of a periodic analytic function converges faster than any power of the node
    // count; 4096 nodes resolve kernels of κ = 400 (width 0.05 rad, 30 nodes per width) to double precision.
    private const int TurnNodes = 4096;

    // Monte Carlo comparisons: within this many combined standard errors.
    private const double StandardErrors = 4;

    private static double[] VonMisesSample(int count, double mean, double kappa, ulong seed)
    {
        var rng = new Xoshiro256(seed);
        var result = new double[count];
        for (int i = 0; i < count; i++) result[i] = Math.IEEERemainder(mean + CircularKde.VonMisesOffset(kappa, ref rng), 2 * Math.PI);
        return result;
    }

    private static double[] Rotate(double[] angles, double by) => angles.Select(a => Math.IEEERemainder(a + by, 2 * Math.PI)).ToArray();

    private static double TurnIntegral(CircularKde kde, double start)
    {
        var x = Enumerable.Range(0, TurnNodes).Select(j => start + 2 * Math.PI * j / TurnNodes).ToArray();
        return kde.Evaluate(x).Sum() * 2 * Math.PI / TurnNodes;
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(3.0)]
    public void IntegratesToOneOverAnyTurn(double center)
    {
        var kde = new CircularKde(VonMisesSample(500, center, 8, 1));
        Assert.InRange(kde.Concentration, 10, 400); // the check below resolves kernels this narrow
        Assert.Equal(1.0, TurnIntegral(kde, -Math.PI), DoubleRounding);
        Assert.Equal(1.0, TurnIntegral(kde, 0.7), DoubleRounding);
        // Weighted, explicit κ.
        var weighted = new CircularKde([3.1, -3.0, 0.5], [1, 2, 3], 50);
        Assert.Equal(1.0, TurnIntegral(weighted, -Math.PI), DoubleRounding);
    }

    [Fact]
    public void IsContinuousAndPeriodicAcrossPlusMinusPi()
    {
        var kde = new CircularKde(VonMisesSample(400, Math.PI, 20, 2)); // data straddle ±π
        double[] at = kde.LogEvaluate([Math.PI, -Math.PI, Math.PI - 1e-9, -Math.PI + 1e-9, 3 * Math.PI, 0.25, 0.25 + 2 * Math.PI]);
        Assert.Equal(at[0], at[1], DoubleRounding);
        Assert.Equal(at[2], at[3], 1e-7); // 2e-9 rad apart: the slope of log p is O(κ) ≈ 1e2
        Assert.Equal(at[0], at[4], DoubleRounding);
        Assert.Equal(at[5], at[6], DoubleRounding);
        // The density at ±π is the peak region here, not a half kernel: well above the density at the opposite side.
        Assert.True(at[0] > at[5] + 5, $"log p(pi) = {at[0]}, log p(0.25) = {at[5]}");
    }

    [Theory]
    [InlineData(0.0, 2.0)]
    [InlineData(1.0, 1e-3)]
    [InlineData(-2.5, 40)]
    [InlineData(3.1, 1e4)]
    public void OnePointIsTheVonMisesDensity(double mean, double kappa)
    {
        var kde = new CircularKde([mean], kappa);
        var exact = new VonMisesDensity(mean, kappa);
        var x = Enumerable.Range(0, 101).Select(j => -4 + 8.0 * j / 100).ToArray();
        var expected = new double[x.Length];
        exact.LogDensity(x, expected);
        double[] actual = kde.LogEvaluate(x);
        for (int i = 0; i < x.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= DoubleRounding * Math.Max(1, Math.Abs(expected[i])), $"x = {x[i]}: {actual[i]} vs {expected[i]}");
    }

    [Fact]
    public void WeightedPointsAreTheVonMisesMixture()
    {
        double kappa = 6;
        var kde = new CircularKde([-2.0, 0.5, 3.0], [1, 0, 3], kappa);
        double[] w = kde.Weights;
        Assert.Equal(0.25, w[0], 1e-15);
        Assert.Equal(0.0, w[1]);
        Assert.Equal(0.75, w[2], 1e-15);
        var x = Enumerable.Range(0, 50).Select(j => -Math.PI + 2 * Math.PI * j / 50).ToArray();
        var a = new double[x.Length];
        var b = new double[x.Length];
        new VonMisesDensity(-2.0, kappa).LogDensity(x, a);
        new VonMisesDensity(3.0, kappa).LogDensity(x, b);
        double[] actual = kde.Evaluate(x);
        for (int i = 0; i < x.Length; i++) Assert.Equal(0.25 * Math.Exp(a[i]) + 0.75 * Math.Exp(b[i]), actual[i], 1e-12);
    }

    [Fact]
    public void LogDensityIsFiniteEverywhereEvenForSharpKernels()
    {
        double kappa = 1e6;
        var kde = new CircularKde([0.0], kappa);
        double opposite = kde.LogEvaluate([Math.PI])[0];
        // ln p(π) = κ cos π − ln(2π I0(κ)) = −2κ − ln(2π e^−κ I0(κ)); e^−κ I0(κ) ≈ 1/√(2πκ).
        Assert.True(double.IsFinite(opposite));
        Assert.Equal(-2 * kappa - Math.Log(2 * Math.PI / Math.Sqrt(2 * Math.PI * kappa)), opposite, 1e-3); // asymptotic I0: error 1/(8κ)
        Assert.Equal(0.0, kde.Evaluate([Math.PI])[0]);
    }

    [Fact]
    public void WeightsAtTheBottomOfTheDoubleRangeStayFinite()
    {
        // The kernel next to the query carries the smallest positive double as its weight; the other one is far away:
        // log p = ln w_A + κ (cos(0.001) − 1) − ln(2π e^−κ I0(κ)), about −749, where every term of a plain sum underflows.
        double kappa = 1e4, tiny = double.Epsilon;
        var kde = new CircularKde([0.0, 3.0], [tiny, 1.0], kappa);
        double expected = Math.Log(tiny) + kappa * (Math.Cos(0.001) - 1) - Math.Log(2 * Math.PI * MathNet.Numerics.SpecialFunctions.BesselIScaled(0, kappa));
        Assert.Equal(expected, kde.LogEvaluate([0.001])[0], 1e-6);
    }

    [Fact]
    public void ScottRuleOnTheCircleMatchesTheLinearRuleAwayFromTheSeamAndIgnoresRotation()
    {
        double[] data = VonMisesSample(3000, 0.2, 10, 3);
        var circular = new CircularKde(data);
        var linear = new GaussianKde(data, 1);
        // Away from ±π the kernel variance is the linear Scott one (circular deviations equal the linear ones there).
        Assert.Equal(1.0, linear.KernelCovariance[0] * circular.Concentration, 1e-12);
        foreach (double by in new[] { 1.0, Math.PI, -2.9 })
            Assert.Equal(circular.Concentration, new CircularKde(Rotate(data, by)).Concentration, 1e-9 * circular.Concentration);
    }

    [Fact]
    public void KlIsInvariantUnderRotatingBothDataSets()
    {
        // Headings concentrated near ±π (awake: spread, asleep: sharper), and the same data rotated.
        double[] active = VonMisesSample(1500, Math.PI, 3, 4), quiescent = VonMisesSample(1500, Math.PI - 0.2, 8, 5);
        var results = new List<(double By, KlEstimate Uniform, KlEstimate Sleep, KlEstimate LinearUniform)>();
        foreach (double by in new[] { 0.0, -Math.PI, 0.9, -2.2 })
        {
            double[] a = Rotate(active, by), q = Rotate(quiescent, by);
            var p = new CircularKde(a);
            results.Add((by, KlDivergence.UniformCircleToKde(p, KlDivergence.DefaultSamples, 11),
                KlDivergence.MonteCarlo(new CircularKde(q), p, KlDivergence.DefaultSamples, 12),
                KlDivergence.UniformCircleToKde(new GaussianKde(a, 1), KlDivergence.DefaultSamples, 11)));
        }
        foreach (var r in results)
            output.WriteLine($"rotation {r.By,6:F3}: von Mises KL(uniform||p) = {r.Uniform.Value:F4} ± {r.Uniform.StandardError:F4}, " +
                $"KL(q||p) = {r.Sleep.Value:F4} ± {r.Sleep.StandardError:F4}; linear Gaussian KL(uniform||p) = {r.LinearUniform.Value:F4} ± {r.LinearUniform.StandardError:F4}");
        var first = results[0];
        foreach (var r in results.Skip(1))
        {
            // KL(q || p) draws from q: the draws rotate with the data, so the estimate is the same to rounding.
            Assert.Equal(first.Sleep.Value, r.Sleep.Value, 1e-9);
            // KL(uniform || p): the uniform draws do not rotate; equal within the Monte Carlo error.
            double bound = StandardErrors * Math.Sqrt(Square(first.Uniform.StandardError) + Square(r.Uniform.StandardError));
            Assert.True(Math.Abs(first.Uniform.Value - r.Uniform.Value) <= bound, $"{first.Uniform.Value} vs {r.Uniform.Value} (bound {bound})");
        }
        // The linear estimator is not invariant: data at ±π (split in two) against the same data at 0 differ by far more
        // than the Monte Carlo error.
        var atSeam = results[0].LinearUniform;
        var atZero = results[1].LinearUniform;
        Assert.True(Math.Abs(atSeam.Value - atZero.Value) > 10 * Math.Sqrt(Square(atSeam.StandardError) + Square(atZero.StandardError)),
            $"linear: {atSeam.Value} at the seam vs {atZero.Value} at 0");
    }

    [Fact]
    public void FromPointsIsExactlyRotationInvariant()
    {
        double[] a = VonMisesSample(500, 1, 4, 6), q = VonMisesSample(500, 1.3, 4, 7);
        double[] points = VonMisesSample(300, 1.2, 2, 8);
        double reference = KlDivergence.FromPoints(new CircularKde(q), new CircularKde(a), points);
        foreach (double by in new[] { 2.0, -1.5, Math.PI })
            Assert.Equal(reference, KlDivergence.FromPoints(new CircularKde(Rotate(q, by)), new CircularKde(Rotate(a, by)), Rotate(points, by)), 1e-9);
    }

    [Fact]
    public void ResampleIsSeededAndFollowsTheKernel()
    {
        const int Draws = 200_000, Bins = 64;
        var kde = new CircularKde([2.5], 2.0);
        double[] first = kde.Resample(Draws, 9);
        Assert.Equal(first, kde.Resample(Draws, 9));
        Assert.NotEqual(first, kde.Resample(Draws, 10));
        Assert.All(first, x => Assert.InRange(x, -Math.PI, Math.PI));
        // E[TV] <= ½ √(bins / N) ≈ 0.009 for draws from the density itself; allow 2x that plus the grid's own error.
        GridDensity exact = GridDensity.Tempered(new VonMisesDensity(2.5, 2.0), 1, -Math.PI, Math.PI, 64 * Bins);
        double tv = TotalVariation.HistogramToDensity(first, exact, Bins);
        output.WriteLine($"TV of {Draws} draws to von Mises(2.5, 2) in {Bins} bins: {tv:F5}");
        Assert.True(tv <= Math.Sqrt((double)Bins / Draws), $"TV {tv}");
        // Rotating the data rotates the draws (same picks and offsets).
        double[] rotated = new CircularKde([2.5 - 1.0], 2.0).Resample(Draws, 9);
        for (int i = 0; i < 100; i++) Assert.Equal(0, Math.IEEERemainder(first[i] - 1.0 - rotated[i], 2 * Math.PI), 1e-9);
    }

    [Fact]
    public void RejectsBadInput()
    {
        Assert.Equal("angles", Assert.Throws<ArgumentException>(() => new CircularKde([0.1, double.NaN])).ParamName);
        Assert.Equal("angles", Assert.Throws<ArgumentException>(() => new CircularKde([], 1.0)).ParamName);
        Assert.Equal("concentration", Assert.Throws<ArgumentOutOfRangeException>(() => new CircularKde([0.1], 0.0)).ParamName);
        Assert.Equal("weights", Assert.Throws<ArgumentException>(() => new CircularKde([0.1, 0.2], [1.0])).ParamName);
        Assert.Throws<DegenerateDataException>(() => new CircularKde([0.3, 0.3 + 2 * Math.PI, 0.3]));
        Assert.Throws<DegenerateDataException>(() => new CircularKde([0.3]));
        Assert.Equal("points", Assert.Throws<ArgumentException>(() => new CircularKde([0.1, 0.2]).LogEvaluate([double.PositiveInfinity])).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CircularKde([0.1, 0.2]).Resample(0, 1));
    }

    private static double Square(double x) => x * x;
}

public class GaussianKdeFarQueryTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void LogEvaluateIsNeverNaNForFiniteQueries(int d)
    {
        double[] data = AnalysisTestData.Normal(200 * d, 21);
        var kde = new GaussianKde(data, d);
        foreach (double far in new[] { 1e150, 1e154, 1e160, 1e200, 1e300, double.MaxValue, -double.MaxValue })
        {
            double[] query = Enumerable.Repeat(far, d).ToArray();
            double log = kde.LogEvaluate(query)[0];
            Assert.False(double.IsNaN(log), $"log p({far:G3}) is NaN");
            Assert.True(double.IsFinite(log) || double.IsNegativeInfinity(log), $"log p({far:G3}) = {log}");
        }
        // Still finite (not −∞) wherever the squared distance fits in a double: 1e150 kernel widths.
        Assert.True(double.IsFinite(kde.LogEvaluate(Enumerable.Repeat(1e150, d).ToArray())[0]));
        // And the KL at such points is a number: both log densities −∞ give a log ratio 0.
        double kl = KlDivergence.FromPoints(kde, kde, Enumerable.Repeat(1e300, d).ToArray());
        Assert.Equal(0.0, kl);
    }
}
