using NoisyRnn.Models;
using NoisyRnn.Tests.Analysis;
using NoisyRnn.Theory;
using Xunit.Abstractions;

namespace NoisyRnn.Tests.Theory;

/// <summary>
/// THEORY.md prediction 1: the discretised sampler r ← r + σ² ∇ log p Δt + σ_q √Δt ξ has stationary density
/// π ∝ p^(2σ²/σ_q²): p itself for σ_q = √2 σ, p² (normalised) for σ_q = σ, up to an O(Δt) bias.
/// </summary>
public class LangevinSamplerTests(ITestOutputHelper output)
{
    // THEORY.md's numpy run used 20,000 chains for 60 time units; this size keeps each test to about a second of CPU
    // while the sampling tolerance (below) stays under half the distance between the two predictions.
    private const int Chains = 12_000;
    private const double Sigma = 0.5;
    private const double Dt = 0.02;

    // The mixture relaxes within a mode in v/σ² ≤ 1 time unit and its barrier is shallow (p(0)/p(−0.8) ≈ 0.65), so
    // 20 time units are many relaxation times; the von Mises chain relaxes in 1/(σ²κ) = 2 units and starts uniform.
    private const double Duration = 20;

    // Failure probability δ of the concentration bound on the histogram's TV (McDiarmid, below); the seeds are fixed,
    // so this is the chance that a change of seed would be needed, not a flake rate.
    private const double Delta = 1e-4;

    // Safety factor on the Gaussian estimate of the Euler discretisation bias (the mixture is not exactly Gaussian).
    private const double BiasSafety = 2;

    // TV between N(0, 1) and N(0, (1 + ε)²) is ε·√(2/(πe)) + O(ε²).
    private static readonly double TvPerRelativeStd = Math.Sqrt(2 / (Math.PI * Math.E));

    private const int GridCells = 8000;

    /// <summary>
    /// Tolerance on TV(histogram of N final states, predicted density) with the given bins:
    /// sampling: E[TV] ≤ ½ Σ_k √(P_k (1 − P_k) / N), and TV changes by at most 1/N when one sample moves, so by McDiarmid
    /// P(TV − E[TV] ≥ ε) ≤ exp(−2Nε²): ε = √(ln(1/δ) / (2N)).
    /// discretisation: for a Gaussian target of variance v the Euler chain x' = x − a x + noise (a = σ² Δt / v) has stationary
    /// variance larger by the factor 1/(1 − a/2), i.e. the std by a/4 relative, whatever σ_q; the TV that causes is
    /// about 0.48 a/4. We use the narrowest curvature of the target and a safety factor.
    /// </summary>
    private static double Tolerance(double[] binProbabilities, int n, double narrowestVariance)
    {
        double expected = 0.5 * binProbabilities.Sum(p => Math.Sqrt(p * (1 - p) / n));
        double deviation = Math.Sqrt(Math.Log(1 / Delta) / (2 * n));
        double a = Sigma * Sigma * Dt / narrowestVariance;
        double bias = BiasSafety * TvPerRelativeStd * a / 4;
        return expected + deviation + bias;
    }

    private static double[] MixtureSamples(int n, int seed)
    {
        double[] z = AnalysisTestData.Normal(n, seed);
        double[] u = AnalysisTestData.Uniform(n, seed + 1, 0, 1);
        var x = new double[n];
        for (int i = 0; i < n; i++) x[i] = u[i] < 0.3 ? -0.8 + 0.4 * z[i] : 0.8 + 0.5 * z[i];
        return x;
    }

    [Theory]
    [InlineData(true)]   // σ_q = √2 σ: samples p
    [InlineData(false)]  // σ_q = σ: samples p²
    public void MixtureChainsSampleTheTemperedDensity(bool scaled)
    {
        var p = GaussianMixture.OneDimensional([0.3, 0.7], [-0.8, 0.8], [0.4, 0.5]);
        double sigmaQ = scaled ? Math.Sqrt(2) * Sigma : Sigma;
        const double low = -3.2, high = 3.2;
        const int bins = 24;
        var predicted = GridDensity.PredictedStationary(p, Sigma, sigmaQ, low, high, GridCells);
        var other = GridDensity.PredictedStationary(p, Sigma, scaled ? Sigma : Math.Sqrt(2) * Sigma, low, high, GridCells);

        double[] final = LangevinSampler.Run(p, MixtureSamples(Chains, 5), Sigma, sigmaQ, Dt, (int)(Duration / Dt), seed: 17);

        double tolerance = Tolerance(predicted.BinProbabilities(bins), Chains, 0.4 * 0.4);
        double tvPredicted = TotalVariation.HistogramToDensity(final, predicted, bins);
        double tvOther = TotalVariation.HistogramToDensity(final, other, bins);
        double gap = TotalVariation.Between(predicted, other, bins);
        output.WriteLine($"TV to predicted {tvPredicted:F4}, to the other {tvOther:F4}, gap {gap:F4}, tolerance {tolerance:F4}");
        Assert.True(tvPredicted <= tolerance, $"TV to the predicted density {tvPredicted:F4} > tolerance {tolerance:F4}");
        // Triangle inequality: a histogram within `tolerance` of the predicted density is at least gap − tolerance from the other.
        Assert.True(tvOther >= gap - tolerance, $"TV to the other density {tvOther:F4} < gap {gap:F4} − tolerance {tolerance:F4}");
        Assert.True(gap > 2 * tolerance, $"the two predictions ({gap:F4} apart) must be distinguishable at this sample size (tolerance {tolerance:F4})");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void VonMisesChainsOnTheCircleSampleTheTemperedDensity(bool scaled)
    {
        const double kappa = 2;
        var p = new VonMisesDensity(0.5, kappa);
        double sigmaQ = scaled ? Math.Sqrt(2) * Sigma : Sigma;
        const int bins = 24;
        var predicted = GridDensity.PredictedStationary(p, Sigma, sigmaQ, -Math.PI, Math.PI, GridCells);
        var other = GridDensity.PredictedStationary(p, Sigma, scaled ? Sigma : Math.Sqrt(2) * Sigma, -Math.PI, Math.PI, GridCells);
        // p² is von Mises with 2κ: the numerically tempered grid must agree with the closed form.
        var closedForm = GridDensity.Tempered(new VonMisesDensity(0.5, scaled ? kappa : 2 * kappa), 1, -Math.PI, Math.PI, GridCells);
        Assert.True(TotalVariation.Between(predicted, closedForm, GridCells) < 1e-9);

        double[] start = AnalysisTestData.Uniform(Chains, 3, -Math.PI, Math.PI);
        double[] final = LangevinSampler.Run(p, start, Sigma, sigmaQ, Dt, (int)(Duration / Dt), seed: 29);
        Assert.All(final, x => Assert.InRange(x, -Math.PI, Math.PI));

        // Curvature of −log p at the mode is κ (variance 1/κ); for p² the drift is unchanged, so a = σ² Δt κ.
        double tolerance = Tolerance(predicted.BinProbabilities(bins), Chains, 1 / kappa);
        double tvPredicted = TotalVariation.HistogramToDensity(final, predicted, bins);
        double tvOther = TotalVariation.HistogramToDensity(final, other, bins);
        double gap = TotalVariation.Between(predicted, other, bins);
        output.WriteLine($"TV to predicted {tvPredicted:F4}, to the other {tvOther:F4}, gap {gap:F4}, tolerance {tolerance:F4}");
        Assert.True(tvPredicted <= tolerance, $"TV to the predicted density {tvPredicted:F4} > tolerance {tolerance:F4}");
        Assert.True(tvOther >= gap - tolerance, $"TV to the other density {tvOther:F4} < gap {gap:F4} − tolerance {tolerance:F4}");
        Assert.True(gap > 2 * tolerance);
    }

    [Fact]
    public void SameSeedSameChainsAndZeroNoiseFlowsToTheMode()
    {
        var p = MultivariateGaussian.OneDimensional(1.0, 0.5);
        double[] start = [-2.0, 0.0, 3.0];
        Assert.Equal(LangevinSampler.Run(p, start, 0.5, 0.7, 0.01, 100, 4), LangevinSampler.Run(p, start, 0.5, 0.7, 0.01, 100, 4));
        Assert.NotEqual(LangevinSampler.Run(p, start, 0.5, 0.7, 0.01, 100, 4), LangevinSampler.Run(p, start, 0.5, 0.7, 0.01, 100, 5));
        // σ_q = 0: x ← x − (σ² Δt / v)(x − μ), a geometric approach to the mode μ = 1.
        double[] final = LangevinSampler.Run(p, start, 0.5, 0, 0.1, 2000, 4);
        Assert.All(final, x => Assert.Equal(1.0, x, 9));
        Assert.Equal(2.0, LangevinSampler.StationaryExponent(0.5, 0.5), 12);
        Assert.Equal(1.0, LangevinSampler.StationaryExponent(0.5, Math.Sqrt(2) * 0.5), 12);
    }

    [Fact]
    public void DivergenceAndBadArgumentsAreReported()
    {
        var p = MultivariateGaussian.OneDimensional(0, 0.01);
        // σ² Δt / v = 25 · 1 / 1e-4: every step overshoots by a factor ~2.5e5, so the state overflows within ~60 steps.
        var e = Assert.Throws<SimulationDivergedException>(() => LangevinSampler.Run(p, [1.0], 5, 0, 1, 1000, 1));
        Assert.InRange(e.Step, 1, 200);
        Assert.Equal("initial", Assert.Throws<ArgumentException>(() => LangevinSampler.Run(p, [], 1, 1, 0.1, 10, 1)).ParamName);
        Assert.Equal("dt", Assert.Throws<ArgumentOutOfRangeException>(() => LangevinSampler.Run(p, [0.0], 1, 1, 0, 10, 1)).ParamName);
        Assert.Equal("density", Assert.Throws<ArgumentException>(() =>
            GridDensity.Tempered(new MultivariateGaussian([0, 0], [1, 0, 0, 1]), 1, -1, 1, 10)).ParamName);
        var grid = GridDensity.Tempered(p, 1, -1, 1, 10);
        Assert.Equal("bins", Assert.Throws<ArgumentOutOfRangeException>(() => TotalVariation.HistogramToDensity([0.0], grid, 11)).ParamName);
        Assert.Equal("samples", Assert.Throws<ArgumentException>(() => TotalVariation.HistogramToDensity([], grid, 5)).ParamName);
    }

    [Fact]
    public void HistogramTvCountsSamplesOutsideTheRange()
    {
        var grid = GridDensity.Tempered(MultivariateGaussian.OneDimensional(0, 100), 1, -1, 1, 100); // nearly uniform on [−1, 1]
        double[] samples = [-0.75, -0.25, 0.25, 0.75];
        Assert.True(TotalVariation.HistogramToDensity(samples, grid, 4) < 1e-4);
        Assert.Equal(0.5, TotalVariation.HistogramToDensity([-0.75, -0.25, 5.0, 9.0], grid, 4), 4);
    }
}
