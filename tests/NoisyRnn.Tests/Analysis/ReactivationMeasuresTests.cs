using NoisyRnn.Analysis;
using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Tasks;
using NoisyRnn.Theory;
using Xunit.Abstractions;

namespace NoisyRnn.Tests.Analysis;

public class DenoisingGainTests(ITestOutputHelper output)
{
    private const int Hidden = 8, OnComponents = 2;
    private const float Dt = 0.2f; // tau = 1: alpha = 0.2

    // Gains are ratios of one float32 step's change to the perturbation: the step rounds states of size ~3 to ~2e-7, against
    // perturbations of norm >= 0.05 * sqrt(2) ≈ 0.07 and changes alpha (1 - c) e ≈ 0.1 e: relative error ≈ 3e-5 per sample.
    private const double FloatStep = 2e-4;

    // Linear cell h' = (1 - α) h + α W h with W = c_on on span(e0, e1) and c_off on the rest: the gain of a perturbation in
    // either subspace is α (1 − c) whatever the state.
    private static VanillaRnn LinearModel(float cOn, float cOff)
    {
        var model = new VanillaRnn(new VanillaRnnOptions(1, Hidden, 2, 2, Activation.Identity, 1f, Dt));
        Span<float> w = model.Parameters[VanillaRnn.RecurrentWeight];
        for (int i = 0; i < Hidden; i++) w[i * Hidden + i] = i < OnComponents ? cOn : cOff;
        return model;
    }

    // Active states varying only in the first two coordinates: the top-2 principal components span exactly (e0, e1).
    private static PcaResult ActivePca()
    {
        var rng = new Xoshiro256(1);
        var states = new float[400 * Hidden];
        for (int i = 0; i < 400; i++)
        {
            states[i * Hidden] = (float)(3 * (rng.NextDouble() - 0.5));
            states[i * Hidden + 1] = (float)(2 * (rng.NextDouble() - 0.5));
        }
        return Pca.Fit(states, 400, Hidden);
    }

    private static float[] HeldOut(int count, ulong seed)
    {
        var rng = new Xoshiro256(seed);
        return Enumerable.Range(0, count * Hidden).Select(_ => (float)(4 * (rng.NextDouble() - 0.5))).ToArray();
    }

    [Theory]
    [InlineData(0.9f, -1.5f)] // on the manifold the drift hardly acts, off it removes α (1 + 1.5) = 50% per step
    [InlineData(0.0f, 0.0f)]  // W = 0: the leak alone, α
    [InlineData(1.0f, 0.5f)]
    public void LinearSystemGainEqualsTheAnalyticContraction(float cOn, float cOff)
    {
        VanillaRnn model = LinearModel(cOn, cOff);
        double[] scales = [0.05, 0.2, 1.0];
        DenoisingGainResult result = DenoisingGain.Measure(model, HeldOut(300, 2), 300, ActivePca(), OnComponents, scales, 200, seed: 3);
        double alpha = Dt / 1.0;
        Assert.Equal(alpha, result.Leak, 1e-7);
        Assert.Equal(200, result.States);
        Assert.Equal(1.0, result.ExplainedVarianceRatio, 1e-9);
        double onExact = alpha * (1 - cOn), offExact = alpha * (1 - cOff);
        foreach (DenoisingGainPoint p in result.Points)
        {
            output.WriteLine($"scale {p.Scale}: on {p.OnManifold.Value:F6} ± {p.OnManifold.StandardError:E1} (exact {onExact:F6}), " +
                $"off {p.OffManifold.Value:F6} ± {p.OffManifold.StandardError:E1} (exact {offExact:F6}), total {p.Total.Value:F6}");
            Assert.Equal(onExact, p.OnManifold.Value, FloatStep);
            Assert.Equal(offExact, p.OffManifold.Value, FloatStep);
            Assert.Equal(200, p.OnManifold.Samples);
            // The whole perturbation: α (1 − (c_on |e_on|² + c_off |e_off|²) / |e|²), whose mean over isotropic e is
            // α (1 − (2 c_on + 6 c_off) / 8) (E[|e_on|² / |e|²] = k / N exactly).
            double totalExact = alpha * (1 - (OnComponents * cOn + (Hidden - OnComponents) * cOff) / Hidden);
            Assert.True(Math.Abs(p.Total.Value - totalExact) <= 4 * p.Total.StandardError + FloatStep,
                $"total {p.Total.Value} ± {p.Total.StandardError}, expected {totalExact}");
        }
        Assert.Equal(result.Points[1], result.Nearest(0.25));
    }

    [Fact]
    public void WorksForTheGruAndIsSeeded()
    {
        var gru = GruRnn.CreateInitialized(new GruRnnOptions(1, 16, 2, 2), 5);
        var rng = new Xoshiro256(6);
        var states = Enumerable.Range(0, 100 * 16).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        PcaResult pca = Pca.Fit(states, 100, 16);
        DenoisingGainResult a = DenoisingGain.Measure(gru, states, 100, pca, 3, [0.01, 0.1], 50, 7);
        DenoisingGainResult b = DenoisingGain.Measure(gru, states, 100, pca, 3, [0.01, 0.1], 50, 7);
        Assert.Equal(a.Points.Select(p => p.OffManifold), b.Points.Select(p => p.OffManifold));
        Assert.All(a.Points, p => Assert.True(double.IsFinite(p.OnManifold.Value) && double.IsFinite(p.OffManifold.Value)));
        Assert.Equal(0.2, a.Leak, 1e-7);
    }

    [Fact]
    public void RejectsBadInput()
    {
        VanillaRnn model = LinearModel(0, 0);
        float[] states = HeldOut(10, 1);
        PcaResult pca = ActivePca();
        Assert.Equal("components", Assert.Throws<ArgumentOutOfRangeException>(() => DenoisingGain.Measure(model, states, 10, pca, Hidden, [0.1], 5, 1)).ParamName);
        Assert.Equal("scales", Assert.Throws<ArgumentOutOfRangeException>(() => DenoisingGain.Measure(model, states, 10, pca, 2, [0.0], 5, 1)).ParamName);
        Assert.Equal("samples", Assert.Throws<ArgumentOutOfRangeException>(() => DenoisingGain.Measure(model, states, 10, pca, 2, [0.1], 11, 1)).ParamName);
        Assert.Equal("heldOutStates", Assert.Throws<ArgumentException>(() => DenoisingGain.Measure(model, states.AsSpan(1).ToArray(), 10, pca, 2, [0.1], 5, 1)).ParamName);
    }
}

public class DensityExponentTests(ITestOutputHelper output)
{
    // THEORY.md prediction 1's mixture, σ and Δt (mixes in 60 time units, TV about 0.02 to the prediction at 20,000 chains).
    private static readonly GaussianMixture Mixture = GaussianMixture.OneDimensional([0.3, 0.7], [-0.8, 0.8], [0.4, 0.5]);
    private const double Sigma = 0.5, Dt = 0.02;
    private const int Chains = 8000, Steps = 3000; // 60 time units

    private static double[] MixtureSample(int count, ulong seed)
    {
        var rng = new Xoshiro256(seed);
        var x = new double[count];
        for (int i = 0; i < count; i++)
        {
            double u1 = ((rng.NextUInt64() >> 11) + 1) * (1.0 / 9007199254740992.0), u2 = rng.NextDouble();
            double z = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
            x[i] = rng.NextDouble() < 0.3 ? -0.8 + 0.4 * z : 0.8 + 0.5 * z;
        }
        return x;
    }

    // A density with a known log density seen as an IKernelDensity (for the expected fit; never resampled).
    private sealed class Known(IScoredDensity density) : IKernelDensity
    {
        public int Dimensions => density.Dimensions;
        public string Estimator => "exact";
        public double[] LogEvaluate(ReadOnlySpan<double> points)
        {
            var result = new double[points.Length / Dimensions];
            density.LogDensity(points, result);
            return result;
        }
        public double[] Resample(int count, ulong seed) => throw new NotSupportedException();
    }

    // The expectation of a Gaussian KDE with kernel variance h2 of samples from p^a (a = 1 or 2, p = Mixture): p^a convolved
    // with N(0, h2), again a Gaussian mixture. p² = Σ_jk w_j w_k N(μ_j, s_j²) N(μ_k, s_k²), and each product of normals is
    // N(μ_j; μ_k, s_j² + s_k²) · N((μ_j s_k² + μ_k s_j²) / (s_j² + s_k²), s_j² s_k² / (s_j² + s_k²)).
    private static GaussianMixture SmoothedPower(int a, double h2)
    {
        double[] w = [0.3, 0.7], mu = [-0.8, 0.8], v = [0.16, 0.25];
        var weights = new List<double>();
        var means = new List<double>();
        var stds = new List<double>();
        if (a == 1)
        {
            for (int j = 0; j < 2; j++) { weights.Add(w[j]); means.Add(mu[j]); stds.Add(Math.Sqrt(v[j] + h2)); }
        }
        else
        {
            for (int j = 0; j < 2; j++)
                for (int k = 0; k < 2; k++)
                {
                    double sum = v[j] + v[k];
                    weights.Add(w[j] * w[k] * Math.Exp(-0.5 * (mu[j] - mu[k]) * (mu[j] - mu[k]) / sum) / Math.Sqrt(2 * Math.PI * sum));
                    means.Add((mu[j] * v[k] + mu[k] * v[j]) / sum);
                    stds.Add(Math.Sqrt(v[j] * v[k] / sum + h2));
                }
        }
        return GaussianMixture.OneDimensional(weights.ToArray(), means.ToArray(), stds.ToArray());
    }

    [Fact]
    public void RecoversOneWithScaledNoiseAndTwoWithSameNoise()
    {
        double[] active = MixtureSample(Chains, 1);
        var p = new GaussianKde(active, 1);
        double[] grid = DensityExponent.IntervalGrid(-2.5, 2.5, 200);
        var fits = new List<(double Predicted, DensityExponentFit Fit, DensityExponentFit Expected)>();
        foreach ((double quiescentSigma, ulong seed) in new[] { (Math.Sqrt(2) * Sigma, 2UL), (Sigma, 3UL) })
        {
            double[] chains = LangevinSampler.Run(Mixture, MixtureSample(Chains, seed + 10), Sigma, quiescentSigma, Dt, Steps, seed);
            var q = new GaussianKde(chains, 1);
            double predicted = DensityExponent.Predicted(Sigma, quiescentSigma);
            DensityExponentFit fit = DensityExponent.Fit(p, q, grid);
            // What the estimator converges to at these bandwidths: the same fit between the KDEs' expectations.
            DensityExponentFit expected = DensityExponent.Fit(new Known(SmoothedPower(1, p.KernelCovariance[0])),
                new Known(SmoothedPower((int)Math.Round(predicted), q.KernelCovariance[0])), grid);
            fits.Add((predicted, fit, expected));
            output.WriteLine($"sigma_q = {quiescentSigma:F4}: predicted {predicted:F3}, fitted {fit.Value:F4} ± {fit.StandardError:F4} on {fit.GridPoints} grid points; " +
                $"the same fit between the KDEs' expectations (Scott smoothing, no sampling) {expected.Value:F4}");
        }
        foreach ((double predicted, DensityExponentFit fit, DensityExponentFit expected) in fits)
        {
            // Against its expectation the fit errs only by sampling (8000 chains and points: KDE values where p ≥ 5% of its
            // peak carry relative errors ≲ sqrt(1 / (n h 2√π p)) ≈ 0.03, a slope error of order 2 × 0.03 / ln 20 × a ≈ 0.02 a)
            // and the sampler's O(Δt) bias (TV ≈ 0.02 to the target at Δt = 0.02, THEORY.md): allow 4 standard errors + 0.04 a.
            Assert.True(Math.Abs(fit.Value - expected.Value) <= 4 * fit.StandardError + 0.04 * predicted,
                $"exponent {fit.Value} ± {fit.StandardError}, expected at this smoothing {expected.Value}");
            // The smoothing alone moves the exponent by less than 10% (the two KDEs have different kernel widths, so either way).
            Assert.InRange(expected.Value, 0.9 * predicted, 1.1 * predicted);
        }
        // And the two modes are told apart.
        Assert.True(fits[1].Fit.Value - fits[0].Fit.Value > 0.6, $"{fits[0].Fit.Value} vs {fits[1].Fit.Value}");
    }

    [Fact]
    public void ExactPowerLawGivesItsExponentAndFlatDensitiesAreRefused()
    {
        // q = p² normalised for a von Mises p is a von Mises with 2κ: the fit on the circle is exactly 2.
        var p = new CircularKde([0.5], 1.5);
        var q = new CircularKde([0.5], 3.0);
        DensityExponentFit fit = DensityExponent.Fit(p, q, DensityExponent.CircleGrid(90));
        Assert.Equal(2.0, fit.Value, 1e-9);
        Assert.True(fit.StandardError < 1e-9);
        var flat = new CircularKde([0.5], 1e-12);
        Assert.Throws<DegenerateDataException>(() => DensityExponent.Fit(flat, q, DensityExponent.CircleGrid(90)));
        Assert.Equal(1.0, DensityExponent.Predicted(0.1, 0.1 * Math.Sqrt(2)), 1e-12);
        Assert.Equal(2.0, DensityExponent.Predicted(0.1, 0.1), 1e-12);
        Assert.Equal(400, DensityExponent.BoxGrid(2.2, 2.2, 20).Length / 2);
    }
}

public class BiasedReactivationTests
{
    [Fact]
    public void RadialProfileOfAUniformDiskIsFlatPerUnitArea()
    {
        const int Batch = 50, Time = 400;
        var rng = new Xoshiro256(4);
        var points = new float[Batch * Time * 2];
        for (int i = 0; i < Batch * Time; i++)
        {
            double r = Math.Sqrt(rng.NextDouble()), phi = 2 * Math.PI * rng.NextDouble(); // uniform in the unit disk
            points[2 * i] = (float)(0.3 + r * Math.Cos(phi));
            points[2 * i + 1] = (float)(-0.2 + r * Math.Sin(phi));
        }
        RadialProfile profile = BiasedReactivation.Radial(points, Batch, Time, 0.3, -0.2, 1.0, 10);
        Assert.Equal(11, profile.Edges.Length);
        Assert.Equal(1.0, profile.Fraction.Sum() + profile.OutsideFraction, 1e-12);
        // Per unit area the density is 1/π in every annulus; bin k holds (2k+1)/100 of the points, N = 20,000: relative
        // standard error ≤ 1/√(0.01 N) = 0.07 for the innermost bin. Allow 4 of them.
        foreach (double a in profile.AreaDensity) Assert.InRange(a, 1 / Math.PI * 0.72, 1 / Math.PI * 1.28);
        // Mean distance of a uniform disk: 2/3.
        Assert.True(Math.Abs(profile.MeanDistance.Value - 2.0 / 3) <= 4 * profile.MeanDistance.StandardError);
    }

    [Fact]
    public void TurningStatisticsSeeACounterClockwiseBiasAcrossTheSeam()
    {
        const int Batch = 4, Time = 1000;
        var headings = new float[Batch * Time];
        var rng = new Xoshiro256(5);
        for (int b = 0; b < Batch; b++)
        {
            double theta = 3.0;
            for (int t = 0; t < Time; t++)
            {
                headings[b * Time + t] = (float)Angles.Wrap(theta);
                theta += 0.02 + 0.05 * (rng.NextDouble() - 0.5) * 2; // mean +0.02 rad per step, crosses ±π often
            }
        }
        TurningStatistics stats = BiasedReactivation.Turning(headings, Batch, Time);
        Assert.Equal(Batch * (Time - 1), stats.Steps);
        Assert.True(Math.Abs(stats.MeanSignedStep.Value - 0.02) < 0.003, $"{stats.MeanSignedStep}");
        // Steps uniform on 0.02 ± 0.05: positive with probability 0.7.
        Assert.InRange(stats.CounterClockwiseFraction, 0.66, 0.74);
    }
}

public class QuiescentMixingTests
{
    [Fact]
    public void KlFallsAsChainsSpreadToTheActiveDistribution()
    {
        var task = new HeadDirectionTask(new HeadDirectionOptions { SequenceLength = 20 }, new HeadDirectionCells(16, Math.PI / 6));
        const int Batch = 50, Steps = 200;
        var rng = new Xoshiro256(8);
        var active = new CircularKde(Enumerable.Range(0, 1000).Select(_ => Math.PI * (2 * rng.NextDouble() - 1)).ToArray());
        // Chains start at 0 and diffuse: early stretches are concentrated, late ones spread over the circle.
        var decoded = new float[Batch * Steps];
        for (int b = 0; b < Batch; b++)
        {
            double theta = 0;
            for (int t = 0; t < Steps; t++)
            {
                theta += 0.15 * (2 * rng.NextDouble() - 1) * Math.Sqrt(3);
                decoded[b * Steps + t] = (float)Angles.Wrap(theta);
            }
        }
        int[] ends = QuiescentMixing.LogSpacedSteps(Steps, 4);
        Assert.Equal(Steps, ends[^1]);
        Assert.Equal(10, ends[0]);
        var prefixes = QuiescentMixing.KlOverTime(task, active, decoded, Batch, Steps, ends, MixingWindow.Prefix, 500, 9);
        var windows = QuiescentMixing.KlOverTime(task, active, decoded, Batch, Steps, ends, MixingWindow.Window, 500, 9);
        Assert.All(prefixes, p => Assert.Equal(0, p.StartStep));
        Assert.Equal(ends[^2], windows[^1].StartStep);
        Assert.True(prefixes[0].Kl!.Value.Value > prefixes[^1].Kl!.Value.Value + 0.5, $"{prefixes[0].Kl} -> {prefixes[^1].Kl}");
        Assert.True(windows[^1].Kl!.Value.Value < 0.2, $"{windows[^1].Kl}");
    }
}

public class HiddenStatesOverTimeTests
{
    [Fact]
    public void ChainsThatDriftOffTheWakingStatesShowAGrowingNearestStateRatio()
    {
        const int Hidden = 4, ActiveBatch = 10, ActiveSteps = 50, Batch = 20, Kept = 40;
        var rng = new Xoshiro256(12);
        float[] active = Enumerable.Range(0, ActiveBatch * ActiveSteps * Hidden).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        // Each chain starts among the waking states and walks off along the first axis by 0.1 per kept state.
        var quiescent = new float[Batch * Kept * Hidden];
        for (int b = 0; b < Batch; b++)
            for (int i = 0; i < Kept; i++)
                for (int h = 0; h < Hidden; h++)
                    quiescent[(b * Kept + i) * Hidden + h] = (float)(rng.NextDouble() - 0.5 + (h == 0 ? 0.1 * i : 0));
        PcaResult pca = Pca.Fit(active, ActiveBatch * ActiveSteps, Hidden);
        var windows = QuiescentMixing.HiddenStatesOverTime(active, ActiveBatch, ActiveSteps, quiescent, Batch, Kept, [5, 20, 40],
            MixingWindow.Window, pca, 2, 300, 13);
        Assert.Equal([0, 5, 20], windows.Select(w => w.StartState));
        Assert.Equal(Batch * 20, windows[2].Result.QuiescentStates);
        Assert.True(windows[0].Result.NearestDistanceRatio < 2, $"{windows[0].Result.NearestDistanceRatio}");
        Assert.True(windows[2].Result.NearestDistanceRatio > windows[1].Result.NearestDistanceRatio);
        Assert.True(windows[1].Result.NearestDistanceRatio > windows[0].Result.NearestDistanceRatio);
        Assert.Equal("endStates", Assert.Throws<ArgumentOutOfRangeException>(() => QuiescentMixing.HiddenStatesOverTime(active, ActiveBatch, ActiveSteps,
            quiescent, Batch, Kept, [5, 5], MixingWindow.Window, pca, 2, 300, 13)).ParamName);
    }
}
