using NoisyRnn.Analysis;
using NoisyRnn.Theory;
using Xunit.Abstractions;

namespace NoisyRnn.Tests.Analysis;

/// <summary>Sokal's integrated autocorrelation time on processes with known τ, and the decorrelation speed-up of momentum.</summary>
public class AutocorrelationTimeTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.9)]
    [InlineData(-0.5)]
    public void Ar1TimeIsOnePlusRhoOverOneMinusRho(double rho)
    {
        // AR(1) y_t = ρ y_{t−1} + e_t started stationary: ρ(t) = ρ^t, τ = (1 + ρ)/(1 − ρ).
        const int chains = 8, length = 20_000;
        double[] e = AnalysisTestData.Normal(chains * length, 11);
        var y = new double[e.Length];
        for (int c = 0; c < chains; c++)
        {
            y[c * length] = e[c * length] / Math.Sqrt(1 - rho * rho);
            for (int t = 1; t < length; t++) y[c * length + t] = rho * y[c * length + t - 1] + e[c * length + t];
        }
        double expected = (1 + rho) / (1 - rho);
        var estimate = AutocorrelationTime.Integrated(y, chains, length);
        output.WriteLine($"rho {rho}: tau {estimate.Tau:F3} ± {estimate.StandardError:F3}, window {estimate.Window}, expected {expected:F3}");
        Assert.True(estimate.Reliable);
        // Truncation at the window W leaves out 2 Σ_{t>W} ρ^t = 2 ρ^{W+1}/(1 − ρ) (tiny for ρ = 0.9 at W ≈ 5τ; for ρ = −0.5
        // the window is c = 5 lags and this is −0.02).
        double truncation = Math.Abs(2 * Math.Pow(rho, estimate.Window + 1) / (1 - rho));
        double bound = 4 * estimate.StandardError + truncation;
        Assert.InRange(estimate.Tau, expected - bound, expected + bound);
        double[] acf = AutocorrelationTime.Function(y, chains, length);
        Assert.Equal(1.0, acf[0], 12);
        Assert.Equal(rho, acf[1], 2);
    }

    [Fact]
    public void ShortChainsAreFlaggedAndBadInputRejected()
    {
        double[] y = AnalysisTestData.Normal(200, 12);
        for (int t = 1; t < 200; t++) y[t] = 0.99 * y[t - 1] + y[t]; // τ ≈ 199: far longer than the chain allows
        Assert.False(AutocorrelationTime.Integrated(y, 1, 200).Reliable);
        Assert.Equal("series", Assert.Throws<ArgumentException>(() => AutocorrelationTime.Integrated(new double[10], 1, 10)).ParamName);
        Assert.Equal("series", Assert.Throws<ArgumentException>(() => AutocorrelationTime.Integrated(new double[10], 2, 10)).ParamName);
        Assert.Equal("length", Assert.Throws<ArgumentOutOfRangeException>(() => AutocorrelationTime.Integrated([1.0], 1, 1)).ParamName);
        Assert.Equal("windowFactor", Assert.Throws<ArgumentOutOfRangeException>(() => AutocorrelationTime.Integrated(y, 1, 200, 0)).ParamName);
    }

    /// <summary>
    /// The measurement reported in docs/theory.md: τ of the position and of the mode indicator sign(x) for the
    /// overdamped chain (M = 0) and the underdamped one at the same σ, σ_q = √2 σ and Δt, on N(0, 0.5²) and on the mixture
    /// 0.3 N(−0.8, 0.4²) + 0.7 N(0.8, 0.5²). The assertion is only that momentum decorrelates faster on both.
    /// </summary>
    [Fact]
    public void MomentumDecorrelatesFaster()
    {
        const double sigma = 0.5, dt = 0.02;
        const int chains = 8, steps = 100_000;
        IScoredDensity[] densities = [MultivariateGaussian.OneDimensional(0, 0.5), GaussianMixture.OneDimensional([0.3, 0.7], [-0.8, 0.8], [0.4, 0.5])];
        string[] names = ["gaussian", "mixture"];
        for (int k = 0; k < densities.Length; k++)
        {
            double? baseline = null, baselineSign = null;
            foreach (double momentum in new[] { 0.0, 0.5, 0.8, 0.9, 0.95 })
            {
                double[] start = AnalysisTestData.Normal(chains, 13, 0.5, 0.3);
                double[] x = UnderdampedLangevinSampler.Trajectories(densities[k], start, sigma, Math.Sqrt(2) * sigma, dt, momentum, steps - 1, 61);
                var tau = AutocorrelationTime.Integrated(x, chains, steps);
                var sign = AutocorrelationTime.Integrated([.. x.Select(v => v >= 0 ? 1.0 : 0.0)], chains, steps);
                baseline ??= tau.Tau;
                baselineSign ??= sign.Tau;
                output.WriteLine($"{names[k]} M {momentum}: tau(x) {tau.Tau:F1} ± {tau.StandardError:F1} (x{baseline / tau.Tau:F2}, theory x{UnderdampedLangevinSampler.DiffusionSpeedup(momentum):F2} for the Gaussian)," +
                    $" tau(sign) {sign.Tau:F1} ± {sign.StandardError:F1} (x{baselineSign / sign.Tau:F2})");
                if (momentum >= 0.5)
                {
                    Assert.True(tau.Tau + 4 * tau.StandardError < baseline);
                    Assert.True(sign.Tau + 4 * sign.StandardError < baselineSign);
                }
            }
        }
    }
}
