using NoisyRnn.Analysis;
using NoisyRnn.Models;
using NoisyRnn.Tests.Analysis;
using NoisyRnn.Theory;
using Xunit.Abstractions;

namespace NoisyRnn.Tests.Theory;

/// <summary>
/// The underdamped sampler w ← M w + (1 + M) σ²Δt ∇log p + √(1 − M²) σ_q√Δt ξ, x ← x + w: M = 0 is the overdamped
/// sampler bit for bit; for every M its stationary position marginal is the overdamped chain's (closed forms for
/// Gaussians, including the O(Δt) bias; histogram distance for a mixture and a von Mises); it diffuses (1 + M)/(1 − M)
/// times faster on a flat density and decorrelates that much faster on a Gaussian.
/// </summary>
public class UnderdampedLangevinSamplerTests(ITestOutputHelper output)
{
    // Deviations allowed in standard errors of a sample mean / variance / covariance of independent final states: with
    // fixed seeds this is the chance (about 6e-7 per check under normality) that another seed would be needed.
    private const double StandardErrors = 5;

    [Fact]
    public void ZeroMomentumIsTheOverdampedSamplerBitForBit()
    {
        var mixture = GaussianMixture.OneDimensional([0.3, 0.7], [-0.8, 0.8], [0.4, 0.5]);
        double[] start = AnalysisTestData.Normal(1500, 3); // two blocks of chains
        AssertSameBits(LangevinSampler.Run(mixture, start, 0.5, 0.7, 0.02, 200, 11),
            UnderdampedLangevinSampler.Run(mixture, start, 0.5, 0.7, 0.02, 0, 200, 11));

        var gaussian = new MultivariateGaussian([0.2, -0.1], [0.3, 0.12, 0.12, 0.2]);
        double[] start2 = AnalysisTestData.Normal(2 * 700, 4);
        AssertSameBits(LangevinSampler.Run(gaussian, start2, 0.5, 0.5, 0.05, 150, 12),
            UnderdampedLangevinSampler.Run(gaussian, start2, 0.5, 0.5, 0.05, 0, 150, 12));

        var vonMises = new VonMisesDensity(0.5, 2);
        double[] angles = AnalysisTestData.Uniform(301, 5, -Math.PI, Math.PI); // odd count: the last Box-Muller pair is half used
        AssertSameBits(LangevinSampler.Run(vonMises, angles, 0.5, 0.9, 0.02, 300, 13),
            UnderdampedLangevinSampler.Run(vonMises, angles, 0.5, 0.9, 0.02, 0, 300, 13));

        // Zero noise: deterministic, and the record's last row is the final state.
        double[] record = UnderdampedLangevinSampler.Trajectories(mixture, start.AsSpan(0, 5), 0.5, 0, 0.02, 0, 40, 1);
        AssertSameBits(LangevinSampler.Run(mixture, start.AsSpan(0, 5), 0.5, 0, 0.02, 40, 1), [.. Enumerable.Range(0, 5).Select(c => record[c * 41 + 40])]);
    }

    private static void AssertSameBits(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.DoubleToInt64Bits(expected[i]) == BitConverter.DoubleToInt64Bits(actual[i]), $"element {i}: {expected[i]:R} vs {actual[i]:R}");
    }

    /// <summary>
    /// For p = N(μ, v) the chain is the AR(2) x_{n+1} = (1 + M − c) x_n − M x_{n−1} + e with c = (1 + M) σ²Δt / v and
    /// Var e = (1 − M²) σ_q²Δt; its stationary variance (1 + M) Var e / ((1 − M) c (2(1 + M) − c)) simplifies to
    /// (v/β) / (1 − σ²Δt/(2v)) with β = 2σ²/σ_q², the same for every M. Δt is large enough that the bias (11 %) is several
    /// tolerances, so the test sees the exact discrete variance, not just p^β.
    /// </summary>
    [Theory]
    [InlineData(0.5, true)]
    [InlineData(0.9, true)]
    [InlineData(0.9, false)]
    public void GaussianStationaryMeanAndVarianceAreExact(double momentum, bool scaled)
    {
        const double mean = 1, variance = 0.25, sigma = 0.5, dt = 0.2;
        const int chains = 40_000;
        double sigmaQ = scaled ? Math.Sqrt(2) * sigma : sigma;
        double beta = LangevinSampler.StationaryExponent(sigma, sigmaQ);
        double a = sigma * sigma * dt / variance;
        double predicted = variance / beta / (1 - a / 2);
        // Slowest AR(2) root: |z| = √M when complex, else the larger real root; 600 steps is > 25 e-folds for these M.
        double[] start = Enumerable.Repeat(mean + 3 * Math.Sqrt(variance), chains).ToArray();
        double[] final = UnderdampedLangevinSampler.Run(MultivariateGaussian.OneDimensional(mean, Math.Sqrt(variance)), start, sigma, sigmaQ, dt, momentum, 600, 21);

        double m = final.Average(), s2 = final.Sum(x => (x - m) * (x - m)) / (chains - 1);
        double meanError = Math.Sqrt(predicted / chains), varianceError = predicted * Math.Sqrt(2.0 / (chains - 1));
        output.WriteLine($"M {momentum}, beta {beta}: mean {m:F4} (1), variance {s2:F5} predicted {predicted:F5} (no bias {variance / beta:F5}), se {varianceError:F5}");
        Assert.InRange(m, mean - StandardErrors * meanError, mean + StandardErrors * meanError);
        Assert.InRange(s2, predicted - StandardErrors * varianceError, predicted + StandardErrors * varianceError);
        Assert.True(predicted - variance / beta > 2 * StandardErrors * varianceError, "the bias must be resolvable at this sample size");
    }

    /// <summary>
    /// 2-D: with H = Σ⁻¹ every eigenmode is the 1-D case, so the stationary covariance is (1/β)(H − (σ²Δt/2) H²)⁻¹.
    /// Entry (i, j) of a sample covariance of N independent Gaussian draws has standard error √((S_ii S_jj + S_ij²)/N).
    /// </summary>
    [Fact]
    public void CorrelatedGaussianStationaryCovarianceIsExact()
    {
        double[] mu = [0.2, -0.1];
        double[] sigmaMatrix = [0.3, 0.12, 0.12, 0.2];
        const double sigma = 0.5, dt = 0.1, momentum = 0.8;
        const int chains = 40_000;
        double sigmaQ = Math.Sqrt(2) * sigma; // β = 1
        var h = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfRowMajor(2, 2, sigmaMatrix).Inverse();
        var predicted = (h - (sigma * sigma * dt / 2) * h * h).Inverse();
        double[] start = new double[2 * chains];
        double[] final = UnderdampedLangevinSampler.Run(new MultivariateGaussian(mu, sigmaMatrix), start, sigma, sigmaQ, dt, momentum, 800, 22);

        double[] m = [0, 0];
        for (int c = 0; c < chains; c++)
            for (int k = 0; k < 2; k++) m[k] += final[2 * c + k] / chains;
        for (int k = 0; k < 2; k++)
            Assert.InRange(m[k], mu[k] - StandardErrors * Math.Sqrt(predicted[k, k] / chains), mu[k] + StandardErrors * Math.Sqrt(predicted[k, k] / chains));
        for (int i = 0; i < 2; i++)
        {
            for (int j = 0; j < 2; j++)
            {
                double s = 0;
                for (int c = 0; c < chains; c++) s += (final[2 * c + i] - m[i]) * (final[2 * c + j] - m[j]);
                s /= chains - 1;
                double se = Math.Sqrt((predicted[i, i] * predicted[j, j] + predicted[i, j] * predicted[i, j]) / chains);
                output.WriteLine($"cov[{i},{j}] {s:F5} predicted {predicted[i, j]:F5} (no bias {sigmaMatrix[2 * i + j]:F5}) se {se:F5}");
                Assert.InRange(s, predicted[i, j] - StandardErrors * se, predicted[i, j] + StandardErrors * se);
            }
        }
    }

    // The mixture and von Mises checks follow LangevinSamplerTests: TV between the histogram of N independent final
    // states and the predicted density, bounded by the expected histogram error, a McDiarmid deviation (δ = 1e-4) and
    // twice the Gaussian estimate of the O(Δt) bias, which is the same for every M (see the Gaussian test above).
    private const double Delta = 1e-4;
    private const double BiasSafety = 2;
    private static readonly double TvPerRelativeStd = Math.Sqrt(2 / (Math.PI * Math.E));

    private static double Tolerance(double[] binProbabilities, int n, double sigma, double dt, double narrowestVariance)
    {
        double expected = 0.5 * binProbabilities.Sum(p => Math.Sqrt(p * (1 - p) / n));
        double deviation = Math.Sqrt(Math.Log(1 / Delta) / (2 * n));
        double a = sigma * sigma * dt / narrowestVariance;
        return expected + deviation + BiasSafety * TvPerRelativeStd * a / 4;
    }

    [Theory]
    [InlineData(0.5, true)]
    [InlineData(0.9, true)]
    [InlineData(0.9, false)]
    public void MixtureAndVonMisesMarginalsAreTheTemperedDensity(double momentum, bool scaled)
    {
        const int chains = 12_000, bins = 24;
        const double sigma = 0.5, dt = 0.02;
        double sigmaQ = scaled ? Math.Sqrt(2) * sigma : sigma, other = scaled ? sigma : Math.Sqrt(2) * sigma;

        var mixture = GaussianMixture.OneDimensional([0.3, 0.7], [-0.8, 0.8], [0.4, 0.5]);
        var predicted = GridDensity.PredictedStationary(mixture, sigma, sigmaQ, -3.2, 3.2, 8000);
        var wrong = GridDensity.PredictedStationary(mixture, sigma, other, -3.2, 3.2, 8000);
        // All chains start in the left mode: the marginal must come from crossing the barrier, not from the start.
        double[] start = Enumerable.Repeat(-0.8, chains).ToArray();
        double[] final = UnderdampedLangevinSampler.Run(mixture, start, sigma, sigmaQ, dt, momentum, 1000, 31);
        Check(final, predicted, wrong, Tolerance(predicted.BinProbabilities(bins), chains, sigma, dt, 0.4 * 0.4), "mixture");

        var vonMises = new VonMisesDensity(0.5, 2);
        predicted = GridDensity.PredictedStationary(vonMises, sigma, sigmaQ, -Math.PI, Math.PI, 8000);
        wrong = GridDensity.PredictedStationary(vonMises, sigma, other, -Math.PI, Math.PI, 8000);
        double[] startAngles = Enumerable.Repeat(0.5 + Math.PI - 0.1, chains).ToArray(); // near the antimode
        final = UnderdampedLangevinSampler.Run(vonMises, startAngles, sigma, sigmaQ, dt, momentum, 1000, 32);
        Assert.All(final, x => Assert.InRange(x, -Math.PI, Math.PI));
        Check(final, predicted, wrong, Tolerance(predicted.BinProbabilities(bins), chains, sigma, dt, 1 / 2.0), "von Mises");

        void Check(double[] samples, GridDensity right, GridDensity other, double tolerance, string name)
        {
            double tv = TotalVariation.HistogramToDensity(samples, right, bins);
            double tvOther = TotalVariation.HistogramToDensity(samples, other, bins);
            double gap = TotalVariation.Between(right, other, bins);
            output.WriteLine($"{name} M {momentum}: TV to predicted {tv:F4}, to the other {tvOther:F4}, gap {gap:F4}, tolerance {tolerance:F4}");
            Assert.True(tv <= tolerance, $"{name}: TV {tv:F4} > tolerance {tolerance:F4}");
            Assert.True(tvOther >= gap - tolerance);
            Assert.True(gap > 2 * tolerance);
        }
    }

    /// <summary>
    /// σ = 0 (no drift), from rest: w_k = √(1 − M²) s Σ_{j≤k} M^{k−j} ξ_j, so x_n − x_0 = √(1 − M²) s Σ_{i=1}^{n} ξ (1 − M^i)/(1 − M)
    /// has variance (1 − M²) s² Σ_{i=1}^{n} (1 − M^i)² / (1 − M)², which tends to n s² (1 + M)/(1 − M): diffusion
    /// <see cref="UnderdampedLangevinSampler.DiffusionSpeedup"/> times faster.
    /// </summary>
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void FreeDiffusionIsFasterByTheSpeedup(double momentum)
    {
        const int chains = 20_000, steps = 400;
        const double sigmaQ = 1, dt = 0.01;
        double s2 = sigmaQ * sigmaQ * dt, sum = 0;
        for (int i = 1; i <= steps; i++) sum += Math.Pow(1 - Math.Pow(momentum, i), 2);
        double predicted = (1 - momentum * momentum) * s2 * sum / ((1 - momentum) * (1 - momentum));
        double[] final = UnderdampedLangevinSampler.Run(MultivariateGaussian.OneDimensional(0, 1), new double[chains], 0, sigmaQ, dt, momentum, steps, 41);
        double variance = final.Sum(x => x * x) / chains; // known mean 0
        double se = predicted * Math.Sqrt(2.0 / chains);
        output.WriteLine($"M {momentum}: variance {variance:F4}, predicted {predicted:F4}, overdamped x speedup {steps * s2 * UnderdampedLangevinSampler.DiffusionSpeedup(momentum):F4}");
        Assert.InRange(variance, predicted - StandardErrors * se, predicted + StandardErrors * se);
        Assert.Equal(1.0, UnderdampedLangevinSampler.DiffusionSpeedup(0), 15);
        Assert.Equal(19.0, UnderdampedLangevinSampler.DiffusionSpeedup(0.9), 12);
    }

    /// <summary>
    /// Integrated autocorrelation time on N(μ, v) at the same Δt: overdamped τ₀ = (2 − r)/r with r = σ²Δt/v (AR(1) with
    /// ρ = 1 − r), underdamped τ_M = τ₀ (1 − M)/(1 + M) (the AR(2)'s spectral density at 0 over its variance). The estimate
    /// must agree within 4 Madras-Sokal standard errors plus the window's truncation bias (negligible: ρ(5τ) ≈ e⁻¹⁰).
    /// </summary>
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    public void GaussianAutocorrelationTimeMatchesTheClosedForm(double momentum)
    {
        const double mean = 0, variance = 0.25, sigma = 0.5, dt = 0.02;
        const int chains = 16, steps = 40_000;
        double r = sigma * sigma * dt / variance;
        double predicted = (2 - r) / r * (1 - momentum) / (1 + momentum);
        double[] start = AnalysisTestData.Normal(chains, 7, mean, Math.Sqrt(variance));
        double[] x = UnderdampedLangevinSampler.Trajectories(MultivariateGaussian.OneDimensional(mean, Math.Sqrt(variance)), start, sigma, Math.Sqrt(2) * sigma, dt, momentum, steps - 1, 51);
        var estimate = AutocorrelationTime.Integrated(x, chains, steps);
        output.WriteLine($"M {momentum}: tau {estimate.Tau:F2} ± {estimate.StandardError:F2} (window {estimate.Window}), predicted {predicted:F2}");
        Assert.True(estimate.Reliable);
        Assert.InRange(estimate.Tau, predicted - 4 * estimate.StandardError, predicted + 4 * estimate.StandardError);
    }

    [Fact]
    public void FrictionMapsToMomentumAndBadArgumentsAreReported()
    {
        Assert.Equal(0.9, UnderdampedLangevinSampler.MomentumForFriction(UnderdampedLangevinSampler.Friction(0.9, 0.02), 0.02), 14);
        Assert.Equal(double.PositiveInfinity, UnderdampedLangevinSampler.Friction(0, 0.02));
        Assert.Equal(0.0, UnderdampedLangevinSampler.MomentumForFriction(double.PositiveInfinity, 0.02));
        var p = MultivariateGaussian.OneDimensional(0, 1);
        foreach (double bad in new[] { -0.1, 1.0, double.NaN })
            Assert.Equal("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => UnderdampedLangevinSampler.Run(p, [0.0], 1, 1, 0.1, bad, 10, 1)).ParamName);
        Assert.Equal("friction", Assert.Throws<ArgumentOutOfRangeException>(() => UnderdampedLangevinSampler.MomentumForFriction(0, 0.1)).ParamName);
        Assert.Equal("initial", Assert.Throws<ArgumentException>(() => UnderdampedLangevinSampler.Run(p, [], 1, 1, 0.1, 0.5, 10, 1)).ParamName);
        Assert.Equal("dt", Assert.Throws<ArgumentOutOfRangeException>(() => UnderdampedLangevinSampler.Run(p, [0.0], 1, 1, 0, 0.5, 10, 1)).ParamName);
        // σ²Δt/v = 25/1e-4 per step: the velocity overflows within a few hundred steps.
        var narrow = MultivariateGaussian.OneDimensional(0, 0.01);
        Assert.InRange(Assert.Throws<SimulationDivergedException>(() => UnderdampedLangevinSampler.Run(narrow, [1.0], 5, 0, 1, 0.5, 1000, 1)).Step, 1, 300);
        // Same seed, same chains; another seed, other chains.
        Assert.Equal(UnderdampedLangevinSampler.Run(p, [0.0, 1.0], 1, 1, 0.1, 0.7, 50, 3), UnderdampedLangevinSampler.Run(p, [0.0, 1.0], 1, 1, 0.1, 0.7, 50, 3));
        Assert.NotEqual(UnderdampedLangevinSampler.Run(p, [0.0, 1.0], 1, 1, 0.1, 0.7, 50, 3), UnderdampedLangevinSampler.Run(p, [0.0, 1.0], 1, 1, 0.1, 0.7, 50, 4));
    }
}
