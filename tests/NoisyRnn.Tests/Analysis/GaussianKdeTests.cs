using NoisyRnn.Analysis;

namespace NoisyRnn.Tests.Analysis;

public class GaussianKdeTests
{
    // Quantities that are equal in exact arithmetic and differ only by a few double roundings.
    private const double DoubleRounding = 1e-12;

    // Far-field log densities are ~-5e5; a relative 1e-9 allows the rounding of the shifted sum at that scale.
    private const double FarFieldRelative = 1e-9;

    // Two summations of the same terms in different orders (SIMD blocks vs a plain loop) agree to ~1e-14 relative.
    private const double SummationOrder = 1e-10;

    // A covariance entry from N resampled points has standard error sqrt((s_rr s_cc + s_rc²) / N); allow this many.
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

    [Fact]
    public void LogEvaluateMatchesNaiveDensityAndItsExponentialIsEvaluate()
    {
        // 1001 points: not a multiple of the vector width or of the kernel's block size.
        double[] data = Correlated2D(1001, 1);
        var kde = new GaussianKde(data, 2);
        double[] queries = Correlated2D(37, 2);
        double[] log = kde.LogEvaluate(queries);
        double[] density = kde.Evaluate(queries);
        double[] kernel = kde.KernelCovariance;
        for (int i = 0; i < 37; i++)
        {
            double naive = AnalysisTestData.NaiveLogDensity(data, 2, kernel, queries.AsSpan(2 * i, 2));
            Assert.True(Math.Abs(log[i] - naive) <= SummationOrder * Math.Max(1, Math.Abs(naive)), $"query {i}: {log[i]} vs naive {naive}");
            Assert.True(density[i] > 1e-6, "these queries are inside the data cloud");
            Assert.Equal(Math.Log(density[i]), log[i], DoubleRounding);
        }
    }

    [Fact]
    public void SkippingFarLeavesKeepsTheDensityExact()
    {
        // 20,000 points make ~100 leaves; queries from the centre out to the far tails make the skipping matter.
        double[] data = Correlated2D(20_000, 30);
        var kde = new GaussianKde(data, 2);
        double[] kernel = kde.KernelCovariance;
        var queries = new List<double>();
        for (int i = 0; i < 12; i++)
        {
            double radius = 0.5 * i; // up to 5.5 data standard deviations along the first axis
            queries.Add(1.5 + 0.8 * radius * Math.Cos(i));
            queries.Add(-0.5 + 0.5 * radius * Math.Sin(i));
        }
        double[] log = kde.LogEvaluate(queries.ToArray());
        for (int i = 0; i < 12; i++)
        {
            double naive = AnalysisTestData.NaiveLogDensity(data, 2, kernel, queries.ToArray().AsSpan(2 * i, 2));
            Assert.True(Math.Abs(log[i] - naive) <= SummationOrder * Math.Max(1, Math.Abs(naive)), $"query {i}: {log[i]} vs naive {naive}");
        }
    }

    [Fact]
    public void LogDensityIsFiniteAndBoundedFarFromTheData()
    {
        // Many points (many leaves) and queries all around the data: in some directions the leaf whose bounding box
        // is nearest does not hold the nearest point, and the closer leaf must be rescaled without overflow.
        const int N = 5000, Directions = 64;
        double[] data = Correlated2D(N, 3);
        var kde = new GaussianKde(data, 2);
        double[] kernel = kde.KernelCovariance;
        double width = Math.Sqrt(kernel[0]);
        var far = new double[2 * Directions];
        for (int i = 0; i < Directions; i++)
        {
            far[2 * i] = 1.5 + 1000 * width * Math.Cos(2 * Math.PI * i / Directions);
            far[2 * i + 1] = -0.5 + 1000 * width * Math.Sin(2 * Math.PI * i / Directions);
        }
        double[] log = kde.LogEvaluate(far);
        double[] density = kde.Evaluate(far);
        for (int q = 0; q < Directions; q++)
        {
            Assert.True(double.IsFinite(log[q]), $"log density {log[q]} must be finite");
            Assert.Equal(0.0, density[q]);
            Assert.True(log[q] < -1e5, "a thousand kernel widths away the log density is about -5e5");
            // log p lies between the largest single term minus ln n and the largest single term:
            // max_i log((1/n) N_i) <= log p <= max_i log N_i.
            double best = double.NegativeInfinity;
            for (int i = 0; i < N; i++)
                best = Math.Max(best, AnalysisTestData.NaiveLogDensity(data.AsSpan(2 * i, 2).ToArray(), 2, kernel, far.AsSpan(2 * q, 2)));
            Assert.InRange(log[q], best - Math.Log(N) - FarFieldRelative * Math.Abs(best), best + FarFieldRelative * Math.Abs(best));
        }
    }

    [Fact]
    public void ResultsDoNotDependOnHowQueriesAreSplitAcrossThreads()
    {
        double[] data = Correlated2D(3000, 4);
        var kde = new GaussianKde(data, 2);
        double[] queries = Correlated2D(400, 5);
        double[] together = kde.LogEvaluate(queries);
        for (int i = 0; i < 400; i += 7)
            Assert.Equal(together[i], kde.LogEvaluate(queries.AsSpan(2 * i, 2))[0]);
    }

    [Fact]
    public void SilvermanAndExplicitFactorsFollowScipy()
    {
        double[] data = Correlated2D(300, 6);
        var silverman = new GaussianKde(data, 2, BandwidthRule.Silverman);
        Assert.Equal(Math.Pow(300 * 4 / 4.0, -1.0 / 6), silverman.Factor, DoubleRounding);
        var scott = new GaussianKde(data, 2);
        var explicitFactor = new GaussianKde(data, 2, 0.5);
        Assert.Equal(0.5, explicitFactor.Factor);
        double ratio = 0.25 / (scott.Factor * scott.Factor);
        for (int i = 0; i < 4; i++) Assert.Equal(scott.KernelCovariance[i] * ratio, explicitFactor.KernelCovariance[i], DoubleRounding);
    }

    [Fact]
    public void ResampleIsReproducibleAndHasDataPlusKernelCovariance()
    {
        double[] data = Correlated2D(400, 7);
        var kde = new GaussianKde(data, 2, 0.7); // a wide kernel makes the kernel term clearly visible
        const int N = 100_000;
        double[] a = kde.Resample(N, 42);
        Assert.Equal(a, kde.Resample(N, 42));
        Assert.NotEqual(a, kde.Resample(N, 43));

        double[] dataCov = Covariance(data, ddof: 0); // resampling picks points uniformly: population covariance
        double[] expected = new double[4];
        double[] kernel = kde.KernelCovariance;
        for (int i = 0; i < 4; i++) expected[i] = dataCov[i] + kernel[i];
        double[] sample = Covariance(a, ddof: 1);
        for (int r = 0; r < 2; r++)
        {
            for (int c = 0; c < 2; c++)
            {
                double se = Math.Sqrt((expected[3 * r] * expected[3 * c] + expected[2 * r + c] * expected[2 * r + c]) / N);
                Assert.True(Math.Abs(sample[2 * r + c] - expected[2 * r + c]) <= StandardErrors * se, $"cov[{r},{c}] = {sample[2 * r + c]}, expected {expected[2 * r + c]} ± {StandardErrors * se}");
            }
        }
    }

    private static double[] Covariance(double[] xy, int ddof)
    {
        int n = xy.Length / 2;
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++)
        {
            mx += xy[2 * i];
            my += xy[2 * i + 1];
        }
        mx /= n;
        my /= n;
        double sxx = 0, sxy = 0, syy = 0;
        for (int i = 0; i < n; i++)
        {
            double dx = xy[2 * i] - mx, dy = xy[2 * i + 1] - my;
            sxx += dx * dx;
            sxy += dx * dy;
            syy += dy * dy;
        }
        double m = n - ddof;
        return [sxx / m, sxy / m, sxy / m, syy / m];
    }

    [Fact]
    public void BadInputsThrowWithTheParameterName()
    {
        double[] good = Correlated2D(50, 8);
        Assert.Equal("data", Assert.Throws<ArgumentException>(() => new GaussianKde(good.AsSpan(0, 99), 2)).ParamName);
        double[] withNaN = (double[])good.Clone();
        withNaN[17] = double.NaN;
        Assert.Equal("data", Assert.Throws<ArgumentException>(() => new GaussianKde(withNaN, 2)).ParamName);
        Assert.Equal("dimensions", Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianKde(good, 0)).ParamName);
        Assert.Equal("bandwidthFactor", Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianKde(good, 2, -1.0)).ParamName);
        var kde = new GaussianKde(good, 2);
        Assert.Equal("points", Assert.Throws<ArgumentException>(() => kde.Evaluate(new double[3])).ParamName);
        Assert.Equal("points", Assert.Throws<ArgumentException>(() => kde.LogEvaluate([0.0, double.PositiveInfinity])).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => kde.Resample(0, 1)).ParamName);
        Assert.Empty(kde.Evaluate([]));
    }

    [Fact]
    public void DegenerateDataThrowsTheTypedException()
    {
        // Too few points: two points in two dimensions cannot have a full-rank covariance.
        Assert.Equal("data", Assert.Throws<DegenerateDataException>(() => new GaussianKde([0.0, 1.0, 2.0, 5.0], 2)).ParamName);
        // A constant coordinate.
        double[] constant = Correlated2D(50, 9);
        for (int i = 0; i < 50; i++) constant[2 * i + 1] = 3.0;
        Assert.Throws<DegenerateDataException>(() => new GaussianKde(constant, 2));
        // Perfectly correlated coordinates: the points lie on a line.
        double[] line = Correlated2D(50, 10);
        for (int i = 0; i < 50; i++) line[2 * i + 1] = 0.1 + 3 * line[2 * i];
        var ex = Assert.Throws<DegenerateDataException>(() => new GaussianKde(line, 2));
        Assert.Contains("singular", ex.Message);
        // One-dimensional: a single point.
        Assert.Throws<DegenerateDataException>(() => new GaussianKde([1.0], 1));
    }
}
