using NoisyRnn.Analysis;

namespace NoisyRnn.Tests.Analysis;

public class KlDivergenceTests
{
    // Quantities that are equal in exact arithmetic and differ only by a few double roundings.
    private const double DoubleRounding = 1e-12;

    private const int Points = 20_000;

    // Bound for KL(N(0,1) || N(1,1)) = 1/2 estimated through KDEs.
    // Smoothing bias: a Scott KDE of unit-variance data has kernel variance h² = n^(-2/5) (≈ 0.019 at n = 20,000), so
    // in expectation both KDEs are N(μ, 1 + h²) and the divergence they define is 1 / (2 (1 + h²)) ≈ 0.491, i.e.
    // 0.5 − h²/(2(1+h²)) — the estimator is centred there, not at 0.5.
    // Random error: the Monte Carlo standard error (the log ratio ½ − x has unit variance, so ≈ 1/√2500 = 0.02; we use
    // the reported one) plus the sampling noise of two 20,000-point KDEs in the log densities, which largely
    // cancels in the mean; 0.01 covers it. We allow the bias plus 4 standard errors plus 0.01.
    private const double KdeNoiseAllowance = 0.01;
    private const double StandardErrors = 4;

    [Fact]
    public void GaussianPairMatchesClosedFormWithinBiasAndSamplingError()
    {
        var q = new GaussianKde(AnalysisTestData.Normal(Points, 11, mean: 0), 1);
        var p = new GaussianKde(AnalysisTestData.Normal(Points, 12, mean: 1), 1);
        KlEstimate kl = KlDivergence.MonteCarlo(q, p, KlDivergence.DefaultSamples, seed: 5);
        Assert.Equal(KlDivergence.DefaultSamples, kl.Samples);
        Assert.InRange(kl.StandardError, 0.015, 0.025); // ≈ 1/√2500: the log ratio has unit variance

        double h2 = Math.Pow(Points, -0.4);
        double bias = h2 / (2 * (1 + h2));
        double bound = bias + StandardErrors * kl.StandardError + KdeNoiseAllowance;
        Assert.True(Math.Abs(kl.Value - 0.5) <= bound, $"KL estimate {kl.Value} ± {kl.StandardError}; |error| must be <= {bound}");
        // And the same seed gives the same estimate.
        Assert.Equal(kl, KlDivergence.MonteCarlo(q, p, KlDivergence.DefaultSamples, seed: 5));
    }

    [Fact]
    public void IdenticalDensitiesGiveZero()
    {
        var q = new GaussianKde(AnalysisTestData.Normal(2000, 13), 1);
        KlEstimate kl = KlDivergence.MonteCarlo(q, q, 500, seed: 1);
        Assert.Equal(0.0, kl.Value);
        Assert.Equal(0.0, kl.StandardError);
    }

    [Fact]
    public void RatiosAreClippedLikeTheReference()
    {
        // p lives far away: every ratio q/p is astronomically large and clipped at 1e7.
        var q = new GaussianKde(AnalysisTestData.Normal(500, 14), 1);
        var p = new GaussianKde(AnalysisTestData.Normal(500, 15, mean: 100), 1);
        Assert.Equal(Math.Log(KlDivergence.ClipHigh), KlDivergence.FromPoints(q, p, [0.0, 0.5, -0.5]), DoubleRounding);
        Assert.Equal(Math.Log(KlDivergence.ClipLow), KlDivergence.FromPoints(p, q, [0.0, 0.5, -0.5]), DoubleRounding);
    }

    private const double BoxWidth = 2.2, BoxHeight = 1.5;

    private static GaussianKde UniformKde()
    {
        double[] x = AnalysisTestData.Uniform(5000, 16, -BoxWidth / 2, BoxWidth / 2);
        double[] y = AnalysisTestData.Uniform(5000, 17, -BoxHeight / 2, BoxHeight / 2);
        var data = new double[10_000];
        for (int i = 0; i < 5000; i++)
        {
            data[2 * i] = x[i];
            data[2 * i + 1] = y[i];
        }
        return new GaussianKde(data, 2);
    }

    // Edge-effect prediction for KL(uniform || KDE of uniform samples): at depth t kernel widths s inside a wall the
    // KDE keeps only Φ(t) of the uniform density, so each wall adds (s / side) ∫_0^∞ −ln Φ(t) dt to the KL, with
    // ∫_0^∞ −ln Φ(t) dt = 0.47754 (numerical quadrature). Two walls per axis: 2 (s_x / w + s_y / h) × 0.47754.
    private const double EdgeIntegral = 0.47754;

    // Allowance around the prediction: the KDE's own sampling noise and its small off-diagonal kernel covariance.
    private const double EdgeModelRelative = 0.1;

    [Fact]
    public void UniformBaselineIsSmallPositiveAndMatchesTheEdgeEffect()
    {
        GaussianKde p = UniformKde();
        KlEstimate kl = KlDivergence.UniformToKde(BoxWidth, BoxHeight, p, 2500, seed: 3);
        double[] kernel = p.KernelCovariance;
        double predicted = 2 * (Math.Sqrt(kernel[0]) / BoxWidth + Math.Sqrt(kernel[3]) / BoxHeight) * EdgeIntegral;
        Assert.True(kl.Value > 0, $"KL(uniform || KDE of uniform) = {kl.Value} must be positive");
        double bound = StandardErrors * kl.StandardError + EdgeModelRelative * predicted;
        Assert.True(Math.Abs(kl.Value - predicted) <= bound, $"KL {kl.Value} ± {kl.StandardError}, edge-effect prediction {predicted} ± {bound}");
    }

    [Fact]
    public void ReferenceDensityAddsLogOfBoxHeight()
    {
        GaussianKde p = UniformKde();
        KlEstimate paper = KlDivergence.UniformToKde(BoxWidth, BoxHeight, p, 1000, seed: 9);
        KlEstimate reference = KlDivergence.UniformToKde(BoxWidth, BoxHeight, p, 1000, seed: 9, referenceDensity: true);
        Assert.Equal(Math.Log(BoxHeight), reference.Value - paper.Value, DoubleRounding);
        Assert.Equal(paper.StandardError, reference.StandardError, DoubleRounding);
    }

    [Fact]
    public void BadInputsThrowWithTheParameterName()
    {
        var one = new GaussianKde(AnalysisTestData.Normal(100, 18), 1);
        var two = new GaussianKde(AnalysisTestData.Normal(200, 19), 2);
        Assert.Equal("samples", Assert.Throws<ArgumentOutOfRangeException>(() => KlDivergence.MonteCarlo(one, one, 0, 1)).ParamName);
        Assert.Equal("p", Assert.Throws<ArgumentException>(() => KlDivergence.MonteCarlo(one, two, 10, 1)).ParamName);
        Assert.Equal("points", Assert.Throws<ArgumentException>(() => KlDivergence.FromPoints(one, one, [])).ParamName);
        Assert.Equal("p", Assert.Throws<ArgumentException>(() => KlDivergence.UniformToKde(1, 1, one, 10, 1)).ParamName);
        Assert.Equal("boxWidth", Assert.Throws<ArgumentOutOfRangeException>(() => KlDivergence.UniformToKde(0, 1, two, 10, 1)).ParamName);
        Assert.Equal("samples", Assert.Throws<ArgumentOutOfRangeException>(() => KlDivergence.UniformToKde(1, 1, two, -3, 1)).ParamName);
        Assert.Equal("q", Assert.Throws<ArgumentNullException>(() => KlDivergence.MonteCarlo(null!, one, 10, 1)).ParamName);
    }
}
