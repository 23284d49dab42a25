using NoisyRnn.Analysis;
using NoisyRnn.Kernels;

namespace NoisyRnn.Tests.Analysis;

/// <summary>
/// The weighted Gaussian KDE against scipy.stats.gaussian_kde's documented semantics, with expectations computed by hand
/// or in closed form (no scipy here): normalised weights, n_eff = 1 / Σ w², Scott and Silverman factors from n_eff, the
/// weighted covariance Σ w (x − μ)(x − μ)ᵀ / (1 − Σ w²), and density, score and resampling that honour the weights.
/// </summary>
public class WeightedKdeTests
{
    // Quantities equal in exact arithmetic that go through a few different double roundings (normalised weights,
    // a weighted mean instead of a sum divided by n).
    private const double DoubleRounding = 1e-12;

    // The same kernel terms summed in a different order or grouping (duplicates summed one by one vs one weighted
    // term, SIMD blocks vs a plain loop): agreement to ~1e-14 relative, allowed 1e-10.
    private const double SummationOrder = 1e-10;

    // A frequency from N independent draws has standard error sqrt(p (1 - p) / N); allow this many.
    private const double StandardErrors = 5;

    private static double[] Correlated2D(int n, int seed)
    {
        double[] z = AnalysisTestData.Normal(2 * n, seed);
        var data = new double[2 * n];
        for (int i = 0; i < n; i++)
        {
            data[2 * i] = 1.5 + 0.8 * z[2 * i];
            data[2 * i + 1] = -0.5 + 0.3 * z[2 * i] + 0.4 * z[2 * i + 1];
        }
        return data;
    }

    private static void AssertRelative(double expected, double actual, double tolerance, string what) =>
        Assert.True(Math.Abs(actual - expected) <= tolerance * Math.Max(1e-300, Math.Abs(expected)),
            $"{what}: expected {expected:R}, got {actual:R} (relative {Math.Abs(actual - expected) / Math.Abs(expected):E2})");

    private static void AssertAllRelative(double[] expected, double[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) AssertRelative(expected[i], actual[i], tolerance, $"{what}[{i}]");
    }

    // Score entries can be near 0; compare them relative to the size of the whole score vector at that query.
    private static void AssertScoresClose(double[] expected, double[] actual, int d, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length / d; i++)
        {
            double norm = 0;
            for (int k = 0; k < d; k++) norm = Math.Max(norm, Math.Abs(expected[i * d + k]));
            for (int k = 0; k < d; k++)
                Assert.True(Math.Abs(actual[i * d + k] - expected[i * d + k]) <= tolerance * Math.Max(norm, 1e-300),
                    $"score[{i}, {k}]: expected {expected[i * d + k]:R}, got {actual[i * d + k]:R}");
        }
    }

    [Theory]
    [InlineData(BandwidthRule.Scott)]
    [InlineData(BandwidthRule.Silverman)]
    public void EqualWeightsReproduceTheUnweightedEstimate(BandwidthRule rule)
    {
        // 1001 points (not a multiple of any vector width or leaf size), all weights 3.7: only the ratios matter.
        double[] data = Correlated2D(1001, 1);
        var weights = Enumerable.Repeat(3.7, 1001).ToArray();
        var plain = new GaussianKde(data, 2, rule);
        var weighted = new GaussianKde(data, 2, weights, rule);
        AssertRelative(1001, weighted.EffectiveSampleSize, DoubleRounding, "n_eff");
        Assert.Equal(1001, plain.EffectiveSampleSize);
        AssertRelative(plain.Factor, weighted.Factor, DoubleRounding, "factor");
        AssertAllRelative(plain.KernelCovariance, weighted.KernelCovariance, DoubleRounding, "kernel covariance");
        Assert.All(weighted.Weights, w => AssertRelative(1.0 / 1001, w, DoubleRounding, "weight"));

        double[] queries = Correlated2D(64, 2);
        AssertAllRelative(plain.LogEvaluate(queries), weighted.LogEvaluate(queries), DoubleRounding, "log density");
        AssertAllRelative(plain.Evaluate(queries), weighted.Evaluate(queries), DoubleRounding, "density");
        AssertScoresClose(plain.Score(queries), weighted.Score(queries), 2, DoubleRounding);

        // An explicit factor: the same kernel covariance, hence the same density.
        var plainFixed = new GaussianKde(data, 2, 0.3);
        var weightedFixed = new GaussianKde(data, 2, weights, 0.3);
        Assert.Equal(0.3, weightedFixed.Factor);
        AssertAllRelative(plainFixed.LogEvaluate(queries), weightedFixed.LogEvaluate(queries), DoubleRounding, "log density, factor 0.3");
    }

    [Fact]
    public void IntegerWeightsEqualDuplicatedPointsWithTheSameKernel()
    {
        // Point i repeated c_i times (c_i in 0..3) vs point i with weight c_i. Both have the same mean and the same
        // scatter S = Σ c_i (x_i − μ)(x_i − μ)ᵀ, but scipy's covariances differ by a scalar: S / (N − 1) for the copies
        // (N = Σ c_i) and (S / N) / (1 − Σ c_i² / N²) weighted, and the factors use N and n_eff = N² / Σ c_i².
        const int n = 300;
        double[] data = Correlated2D(n, 5);
        var counts = new double[n];
        var duplicated = new List<double>();
        for (int i = 0; i < n; i++)
        {
            counts[i] = (i * 7 + 3) % 4;
            for (int c = 0; c < counts[i]; c++) duplicated.AddRange([data[2 * i], data[2 * i + 1]]);
        }
        double total = counts.Sum(), sumSquares = counts.Sum(c => c * c);
        var copies = new GaussianKde(duplicated.ToArray(), 2);
        var weighted = new GaussianKde(data, 2, counts);

        double neff = total * total / sumSquares;
        AssertRelative(neff, weighted.EffectiveSampleSize, DoubleRounding, "n_eff");
        AssertRelative(Math.Pow(neff, -1.0 / 6), weighted.Factor, DoubleRounding, "Scott factor from n_eff");
        // Weighted covariance = duplicated covariance × ratio, ratio = (N − 1) / (N (1 − Σ c² / N²)).
        double ratio = (total - 1) / (total * (1 - sumSquares / (total * total)));
        double[] copiesCovariance = copies.KernelCovariance, weightedCovariance = weighted.KernelCovariance;
        double copiesFactor2 = copies.Factor * copies.Factor, weightedFactor2 = weighted.Factor * weighted.Factor;
        for (int k = 0; k < 4; k++)
            AssertRelative(copiesCovariance[k] / copiesFactor2 * ratio, weightedCovariance[k] / weightedFactor2, DoubleRounding, $"data covariance [{k}]");

        // With the factor chosen so that both kernel covariances coincide, the two estimates are the same function.
        var matched = new GaussianKde(data, 2, counts, copies.Factor / Math.Sqrt(ratio));
        AssertAllRelative(copiesCovariance, matched.KernelCovariance, DoubleRounding, "matched kernel covariance");
        double[] queries = Correlated2D(80, 6);
        AssertAllRelative(copies.LogEvaluate(queries), matched.LogEvaluate(queries), SummationOrder, "log density");
        AssertScoresClose(copies.Score(queries), matched.Score(queries), 2, SummationOrder);
        Assert.Equal(n, matched.Count);
        Assert.Equal(0, matched.Weights[3]); // c_3 = (3·7 + 3) % 4 = 0: a point of weight 0 keeps its place in Weights
    }

    [Fact]
    public void OneDimensionalWeightedCaseMatchesTheHandComputedClosedForm()
    {
        // x = (0, 1, 3) with weights (1, 2, 1): w = (1/4, 1/2, 1/4), μ = 5/4, Σ w (x − μ)² = 19/16, Σ w² = 3/8, so the
        // data variance is (19/16) / (5/8) = 1.9 and n_eff = 8/3. Silverman: (n_eff · 3/4)^(-1/5) = 2^(-1/5).
        double[] x = [0, 1, 3];
        double[] weights = [1, 2, 1];
        double[] w = [0.25, 0.5, 0.25];
        var scott = new GaussianKde(x, 1, weights);
        var silverman = new GaussianKde(x, 1, weights, BandwidthRule.Silverman);
        AssertRelative(8.0 / 3, scott.EffectiveSampleSize, DoubleRounding, "n_eff");
        AssertRelative(Math.Pow(8.0 / 3, -0.2), scott.Factor, DoubleRounding, "Scott factor");
        AssertRelative(Math.Pow(2, -0.2), silverman.Factor, DoubleRounding, "Silverman factor");
        AssertRelative(1.9 * Math.Pow(8.0 / 3, -0.4), scott.KernelCovariance[0], DoubleRounding, "Scott kernel variance");
        AssertRelative(1.9 * Math.Pow(2, -0.4), silverman.KernelCovariance[0], DoubleRounding, "Silverman kernel variance");
        AssertAllRelative(w, scott.Weights, DoubleRounding, "weights");

        double variance = 1.9 * Math.Pow(8.0 / 3, -0.4);
        double[] queries = [-2, 0, 0.5, 1, 1.25, 2, 3, 6.5];
        double[] density = scott.Evaluate(queries);
        double[] score = scott.Score(queries);
        for (int q = 0; q < queries.Length; q++)
        {
            double p = 0, dp = 0;
            for (int i = 0; i < 3; i++)
            {
                double kernel = w[i] * Math.Exp(-0.5 * (queries[q] - x[i]) * (queries[q] - x[i]) / variance) / Math.Sqrt(2 * Math.PI * variance);
                p += kernel;
                dp += kernel * (x[i] - queries[q]) / variance;
            }
            AssertRelative(p, density[q], DoubleRounding, $"density at {queries[q]}");
            AssertRelative(dp / p, score[q], DoubleRounding, $"score at {queries[q]}");
        }
        // The worked example of docs/analysis.md ("Weighted KDE").
        Assert.Equal(0.254236, density[3], 6);
        Assert.Equal(0.197423, density[5], 6);
        Assert.Equal(0.82188, scott.Factor, 5);
    }

    [Fact]
    public void EffectiveSampleSizeIsOneOverTheSumOfSquaredNormalisedWeights()
    {
        // Weights (1, 1, 2, 4) normalise to (1/8, 1/8, 1/4, 1/2): Σ w² = 22/64, n_eff = 64/22.
        var kde = new GaussianKde([0.0, 1.0, 2.5, 4.0], 1, [1.0, 1.0, 2.0, 4.0]);
        AssertRelative(64.0 / 22, kde.EffectiveSampleSize, DoubleRounding, "n_eff");
        AssertRelative(Math.Pow(64.0 / 22, -0.2), kde.Factor, DoubleRounding, "Scott factor");
        AssertAllRelative([0.125, 0.125, 0.25, 0.5], kde.Weights, DoubleRounding, "weights");
        Assert.Equal(4, kde.Count);

        // A zero weight removes the point: n_eff of (0, 1, 1, 1) is 3; the points must still vary.
        var dropped = new GaussianKde([0.0, 1.0, 2.5, 4.0], 1, [0.0, 1.0, 1.0, 1.0]);
        AssertRelative(3, dropped.EffectiveSampleSize, DoubleRounding, "n_eff with a zero weight");
        var reference = new GaussianKde([1.0, 2.5, 4.0], 1);
        AssertAllRelative(reference.LogEvaluate([0.0, 2.0, 5.0]), dropped.LogEvaluate([0.0, 2.0, 5.0]), DoubleRounding, "zero weight = point dropped");
    }

    [Theory]
    [InlineData((int)IsaTier.Scalar)]
    [InlineData((int)IsaTier.Vector256)]
    [InlineData((int)IsaTier.Vector512)]
    public void WeightedLogDensityMatchesTheNaiveSumOnEveryVectorTier(int tier)
    {
        // 3000 points (a dozen leaves) with weights spanning 6 orders of magnitude, queries from the centre to the far
        // tails, so the weight offsets, the leaf skipping and the rescaling of the shifted sum all matter.
        const int n = 3000;
        double[] data = Correlated2D(n, 40);
        double[] u = AnalysisTestData.Uniform(n, 41, 0, 1);
        double[] weights = u.Select(v => Math.Pow(10, -6 * v)).ToArray();
        var kde = new GaussianKde(data, 2, (IsaTier)tier, weights);
        double[] kernel = kde.KernelCovariance, w = kde.Weights;
        var queries = new List<double>();
        for (int i = 0; i < 10; i++) queries.AddRange([1.5 + 0.9 * i, -0.5 - 0.2 * i]);
        double[] log = kde.LogEvaluate(queries.ToArray());
        for (int q = 0; q < log.Length; q++)
        {
            double expected = NaiveWeightedLogDensity(data, w, kernel, queries[2 * q], queries[2 * q + 1]);
            AssertRelative(expected, log[q], SummationOrder, $"log density at query {q}");
        }
    }

    [Fact]
    public void ResampleDrawsPointsWithProbabilityEqualToTheirWeight()
    {
        // Kernels 1000 times narrower than the gaps: each draw lands next to the point it picked.
        double[] x = [-5, 0, 5, 10];
        var kde = new GaussianKde(x, 1, [0.2, 0.0, 0.5, 0.3], 0.001);
        const int draws = 20_000;
        double[] sample = kde.Resample(draws, 7);
        var counts = new int[4];
        foreach (double s in sample)
        {
            int nearest = Enumerable.Range(0, 4).MinBy(i => Math.Abs(s - x[i]));
            Assert.True(Math.Abs(s - x[nearest]) < 0.5, $"draw {s} is not next to a data point");
            counts[nearest]++;
        }
        Assert.Equal(0, counts[1]);
        double[] expected = [0.2, 0.0, 0.5, 0.3];
        for (int i = 0; i < 4; i++)
        {
            double se = Math.Sqrt(expected[i] * (1 - expected[i]) / draws);
            Assert.True(Math.Abs(counts[i] / (double)draws - expected[i]) <= StandardErrors * se + 1e-12,
                $"point {i}: frequency {counts[i] / (double)draws}, expected {expected[i]}");
        }
        Assert.Equal(sample, kde.Resample(draws, 7));
    }

    [Fact]
    public void BadWeightsAreRejectedNamingTheParameter()
    {
        double[] data = Correlated2D(20, 3);
        double[] good = Enumerable.Repeat(1.0, 20).ToArray();
        Assert.Equal("weights", Assert.Throws<ArgumentException>(() => new GaussianKde(data, 2, good.AsSpan(0, 19))).ParamName);
        Assert.Equal("weights", Assert.Throws<ArgumentException>(() => new GaussianKde(data, 2, ReadOnlySpan<double>.Empty)).ParamName);
        foreach (double bad in new[] { double.NaN, double.PositiveInfinity, -1.0, -1e-300 })
        {
            double[] w = (double[])good.Clone();
            w[11] = bad;
            var ex = Assert.Throws<ArgumentException>(() => new GaussianKde(data, 2, w));
            Assert.Equal("weights", ex.ParamName);
            Assert.Contains("weights[11]", ex.Message);
        }
        var zeros = Assert.Throws<ArgumentException>(() => new GaussianKde(data, 2, new double[20], 0.5));
        Assert.Equal("weights", zeros.ParamName);
        Assert.Contains("all 20 weights are 0", zeros.Message);
        // Huge weights: normalised without overflow.
        var huge = new GaussianKde(data, 2, Enumerable.Repeat(1e308, 20).ToArray());
        AssertRelative(20, huge.EffectiveSampleSize, DoubleRounding, "n_eff of huge equal weights");
    }

    [Fact]
    public void TooFewWeightedPointsOrDegenerateWeightedDataThrowTheTypedException()
    {
        double[] data = Correlated2D(20, 4);
        // Two positive weights in two dimensions: no full-rank covariance (and 1 − Σ w² would be 0 for a single one).
        var weights = new double[20];
        weights[3] = 1;
        weights[8] = 2;
        var ex = Assert.Throws<DegenerateDataException>(() => new GaussianKde(data, 2, weights));
        Assert.Equal("weights", ex.ParamName);
        Assert.Contains("only 2 of the 20", ex.Message);
        Assert.Throws<DegenerateDataException>(() => new GaussianKde([0.0, 1.0, 2.0], 1, [0.0, 5.0, 0.0]));
        // Weighted points on a line: singular.
        double[] line = Correlated2D(20, 5);
        for (int i = 0; i < 20; i++) line[2 * i + 1] = 2 * line[2 * i] - 1;
        Assert.Contains("singular", Assert.Throws<DegenerateDataException>(() => new GaussianKde(line, 2, AnalysisTestData.Uniform(20, 6, 0.5, 2))).Message);
        // The positive-weight points share a coordinate even though the zero-weight ones do not.
        double[] constant = Correlated2D(20, 7);
        var w = new double[20];
        for (int i = 0; i < 10; i++)
        {
            constant[2 * i + 1] = 4.0;
            w[i] = 1 + i;
        }
        Assert.Contains("zero variance in dimension 1", Assert.Throws<DegenerateDataException>(() => new GaussianKde(constant, 2, w)).Message);
    }

    // log Σ_i w_i N(x; x_i, K) for 2-D data, by a plain log-sum-exp over all points.
    private static double NaiveWeightedLogDensity(double[] data, double[] w, double[] kernel, double x, double y)
    {
        double det = kernel[0] * kernel[3] - kernel[1] * kernel[2];
        double i00 = kernel[3] / det, i01 = -kernel[1] / det, i11 = kernel[0] / det;
        int n = w.Length;
        var terms = new double[n];
        double max = double.NegativeInfinity;
        for (int i = 0; i < n; i++)
        {
            double a = x - data[2 * i], b = y - data[2 * i + 1];
            terms[i] = Math.Log(w[i]) - 0.5 * (a * a * i00 + 2 * a * b * i01 + b * b * i11);
            max = Math.Max(max, terms[i]);
        }
        double sum = 0;
        foreach (double t in terms) sum += Math.Exp(t - max);
        return max + Math.Log(sum) - Math.Log(2 * Math.PI) - 0.5 * Math.Log(det);
    }

    [Theory]
    [InlineData(1e-20)]
    [InlineData(1e-300)]
    public void WeightsOnEssentiallyOnePointNameTheWeights(double rest)
    {
        // Every point has a positive weight, but 1 - sum(w^2) rounds to 0: the weighted covariance divided by 0 and the
        // error blamed the data ("singular covariance ... lower-dimensional subspace") instead of the weights.
        double[] data = Correlated2D(50, 3);
        double[] weights = Enumerable.Range(0, 50).Select(i => i == 0 ? 1 : rest).ToArray();
        var e = Assert.Throws<DegenerateDataException>(() => new GaussianKde(data, 2, weights));
        Assert.Equal("weights", e.ParamName);
        Assert.Contains("effective sample size", e.Message);
    }
}
