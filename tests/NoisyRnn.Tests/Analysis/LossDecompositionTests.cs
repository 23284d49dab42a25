using NoisyRnn.Analysis;
using NoisyRnn.Models;
using NoisyRnn.Noise;

namespace NoisyRnn.Tests.Analysis;

/// <summary>THEORY.md, "Measuring the decomposition": f(s_{t+1}) − D r_{t+1} = a_t + b_t − D n_t.</summary>
public class LossDecompositionTests
{
    private const int Batch = 100, Time = 41, Hidden = 24, Outputs = 10;

    // Two float32 routes to the same readout (Forward's update vs drift then readout) differ by ~1e-7 relative per
    // element; on squared residuals of order 0.01-1 that is well below 1e-4 relative.
    private const double FloatRoute = 1e-4;

    // Standard deviations of the Monte Carlo error allowed (a 5-sigma event has probability < 1e-6).
    private const double Sigmas = 5;

    private static float[] Uniform(int n, int seed, double low, double high)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(low + (high - low) * rng.NextDouble());
        return x;
    }

    private static (VanillaRnn Model, float[] Inputs, float[] Init, float[] Targets) Setup(bool bias = false)
    {
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, Hidden, Outputs, Outputs, Activation.Relu, 1f, 0.2f, bias), 11);
        return (model, Uniform(Batch * Time * 2, 1, -0.5, 0.5), Uniform(Batch * Outputs, 2, 0, 1), Uniform(Batch * Time * Outputs, 3, 0, 0.5));
    }

    private static double[] Readout(VanillaRnn model) => model.Parameters[VanillaRnn.OutputWeight].ToArray().Select(v => (double)v).ToArray();

    private static double FrobeniusSquared(double[] d) => d.Sum(v => v * v);

    // tr((DᵀD)²) = ||D Dᵀ||_F² for D [out, hidden].
    private static double TraceGramSquared(double[] d)
    {
        double sum = 0;
        for (int i = 0; i < Outputs; i++)
            for (int j = 0; j < Outputs; j++)
            {
                double g = 0;
                for (int h = 0; h < Hidden; h++) g += d[i * Hidden + h] * d[j * Hidden + h];
                sum += g * g;
            }
        return sum;
    }

    // ||D||_2², the largest eigenvalue of D Dᵀ [out, out], by power iteration (converges geometrically; 500 rounds is plenty
    // for a 10 × 10 matrix, and any shortfall only makes the estimate smaller, checked against the trace below).
    private static double SpectralNormSquared(double[] d)
    {
        var g = new double[Outputs * Outputs];
        for (int i = 0; i < Outputs; i++)
            for (int j = 0; j < Outputs; j++)
                for (int h = 0; h < Hidden; h++) g[i * Outputs + j] += d[i * Hidden + h] * d[j * Hidden + h];
        var v = Enumerable.Repeat(1.0, Outputs).ToArray();
        double lambda = 0;
        for (int round = 0; round < 500; round++)
        {
            var w = new double[Outputs];
            for (int i = 0; i < Outputs; i++)
                for (int j = 0; j < Outputs; j++) w[i] += g[i * Outputs + j] * v[j];
            lambda = Math.Sqrt(w.Sum(x => x * x));
            for (int i = 0; i < Outputs; i++) v[i] = w[i] / lambda;
        }
        return lambda;
    }

    /// <summary>
    /// Standard deviation bound of mean(Total − Combined − Noise − Cross) over M = batch·(time − 1) transitions with
    /// noise of per-unit variance v around its mean. The deviation is (1/(M·out)) Σ [−2 c'·D m + (||D m||² − E||D m||²)]
    /// with m the centred noise and c' = c − D E[n], independent of m. Both terms are martingale differences (m_t is drawn
    /// after c'_t), uncorrelated with each other (odd moments of a symmetric m vanish), with conditional variances
    /// 4 v ||Dᵀ c'||² ≤ 4 v ||D||_2² ||c'||² and ≤ 2 v² tr((DᵀD)²) (equality for Gaussian m; smaller for the uniform,
    /// whose kurtosis is below 3).
    /// </summary>
    private static double MonteCarloStd(double[] d, double v, double sumResidualSquared, int m)
    {
        double variance = 4 * v * SpectralNormSquared(d) * sumResidualSquared + 2 * v * v * TraceGramSquared(d) * m;
        return Math.Sqrt(variance) / ((double)m * Outputs);
    }

    [Fact]
    public void WithoutNoiseTheLossIsExactlyTheCombinedResidual()
    {
        var (model, inputs, init, targets) = Setup();
        var r = LossDecomposition.Measure(model, inputs, init, targets, Batch, Time, 0f, NoiseDistribution.StandardNormal, 1);
        Assert.Equal(Time - 1, r.Total.Length);
        for (int k = 0; k < Time - 1; k++)
        {
            Assert.Equal(0.0, r.Noise[k]);
            Assert.Equal(0.0, r.Cross[k]);
            Assert.True(Math.Abs(r.Total[k] - r.Combined[k]) <= FloatRoute * r.Total[k], $"step {k}: {r.Total[k]} vs {r.Combined[k]}");
            // ||a + b||² ≤ 2||a||² + 2||b||² holds sample by sample.
            Assert.True(r.Combined[k] <= 2 * r.Denoise[k] + 2 * r.Integrate[k] + 1e-12);
        }

        // Total is the training loss per step: the mean over steps equals MSE over steps 1 .. time − 1 of the readout.
        var tape = model.CreateTape(Batch, Time);
        model.Forward(inputs, init, NoiseLevels.None, NoiseStreams.FromSeed(0), tape);
        double sum = 0;
        for (int b = 0; b < Batch; b++)
            for (int t = 1; t < Time; t++)
                for (int i = 0; i < Outputs; i++)
                {
                    double e = targets[(b * Time + t) * Outputs + i] - tape.Outputs[(b * Time + t) * Outputs + i];
                    sum += e * e;
                }
        Assert.Equal(sum / (Batch * (Time - 1.0) * Outputs), r.MeanTotal, 12);
    }

    [Fact]
    public void DenoisingAndIntegrationResidualsMatchOneStepSimulations()
    {
        var (model, inputs, init, targets) = Setup(bias: true);
        var r = LossDecomposition.Measure(model, inputs, init, targets, Batch, Time, 0f, NoiseDistribution.StandardNormal, 1);
        var tape = model.CreateTape(Batch, Time);
        model.Forward(inputs, init, NoiseLevels.None, NoiseStreams.FromSeed(0), tape);
        foreach (int k in new[] { 0, 17, Time - 2 })
        {
            var state = new float[Batch * Hidden];
            var x = new float[Batch * 2];
            for (int b = 0; b < Batch; b++)
            {
                tape.Hidden.Slice((b * Time + k) * Hidden, Hidden).CopyTo(state.AsSpan(b * Hidden));
                inputs.AsSpan((b * Time + k + 1) * 2, 2).CopyTo(x.AsSpan(b * 2));
            }
            // One noise-free step without and with the input: y0 = D(r + φ(r,0)Δt) + b_out, y1 = D(r + φ(r,ṡ)Δt) + b_out.
            var y0 = new float[Batch * Outputs];
            var y1 = new float[Batch * Outputs];
            model.Simulate(state, ReadOnlySpan<float>.Empty, Batch, 1, 0f, new GaussianNoiseSource(0), Span<float>.Empty, y0);
            model.Simulate(state, x, Batch, 1, 0f, new GaussianNoiseSource(0), Span<float>.Empty, y1);
            double sa = 0, sb = 0;
            for (int b = 0; b < Batch; b++)
                for (int i = 0; i < Outputs; i++)
                {
                    double now = targets[(b * Time + k) * Outputs + i], next = targets[(b * Time + k + 1) * Outputs + i];
                    double a = now - y0[b * Outputs + i];
                    double bb = next - now - (y1[b * Outputs + i] - y0[b * Outputs + i]);
                    sa += a * a;
                    sb += bb * bb;
                }
            Assert.True(Math.Abs(sa / (Batch * Outputs) - r.Denoise[k]) <= FloatRoute * r.Denoise[k], $"denoise, step {k}");
            Assert.True(Math.Abs(sb / (Batch * Outputs) - r.Integrate[k]) <= FloatRoute * r.Integrate[k] + 1e-9, $"integrate, step {k}");
        }
    }

    [Fact]
    public void WithGaussianNoiseTheIdentityHoldsUpToMonteCarloError()
    {
        var (model, inputs, init, targets) = Setup();
        const float s = 0.5f;
        var r = LossDecomposition.Measure(model, inputs, init, targets, Batch, Time, s, NoiseDistribution.StandardNormal, 7);
        double[] d = Readout(model);
        Assert.Equal(s * s * FrobeniusSquared(d) / Outputs, r.MeanNoise, 6);
        Assert.Equal(0.0, r.MeanCross);

        int m = Batch * (Time - 1);
        double std = MonteCarloStd(d, s * s, r.MeanCombined * m * Outputs, m);
        double deviation = r.MeanTotal - r.MeanCombined - r.MeanNoise;
        Assert.True(Math.Abs(deviation) <= Sigmas * std, $"L − L_noise − E||a+b||² = {deviation:E3}, allowed {Sigmas * std:E3}");
        // The test can tell: leaving the noise term out would break it.
        Assert.True(Sigmas * std < 0.2 * r.MeanNoise, $"Monte Carlo tolerance {Sigmas * std:E3} vs noise term {r.MeanNoise:E3}");
        Assert.True(r.MeanTotal <= r.MeanBound + Sigmas * std, $"bound: {r.MeanTotal} vs {r.MeanBound}");
    }

    [Fact]
    public void WithReferenceUniformNoiseTheCrossTermCompletesTheIdentity()
    {
        var (model, inputs, init, targets) = Setup();
        const float s = 0.5f;
        var r = LossDecomposition.Measure(model, inputs, init, targets, Batch, Time, s, NoiseDistribution.Uniform01, 7);
        double[] d = Readout(model);
        double dOnes = 0;
        for (int i = 0; i < Outputs; i++)
        {
            double rowSum = 0;
            for (int h = 0; h < Hidden; h++) rowSum += d[i * Hidden + h];
            dOnes += rowSum * rowSum;
        }
        Assert.Equal(s * s * (FrobeniusSquared(d) / 12 + dOnes / 4) / Outputs, r.MeanNoise, 6);
        Assert.NotEqual(0.0, r.MeanCross);

        int m = Batch * (Time - 1);
        // ||c − D E[n]||² ≤ 2||c||² + 2||D E[n]||², with E[n] = s/2 per unit.
        double sumCentred = 2 * r.MeanCombined * m * Outputs + 2 * m * (s * s / 4) * dOnes;
        double std = MonteCarloStd(d, s * s / 12, sumCentred, m);
        double deviation = r.MeanTotal - r.MeanCombined - r.MeanNoise - r.MeanCross;
        Assert.True(Math.Abs(deviation) <= Sigmas * std, $"deviation {deviation:E3}, allowed {Sigmas * std:E3}");
        Assert.True(r.MeanTotal <= r.MeanBound + Sigmas * std);
    }

    [Fact]
    public void BadArgumentsNameTheParameter()
    {
        var (model, inputs, init, targets) = Setup();
        Assert.Equal("time", Assert.Throws<ArgumentOutOfRangeException>(() =>
            LossDecomposition.Measure(model, inputs.AsSpan(0, Batch * 2).ToArray(), init, targets.AsSpan(0, Batch * Outputs).ToArray(), Batch, 1, 0f, NoiseDistribution.StandardNormal, 1)).ParamName);
        Assert.Equal("targets", Assert.Throws<ArgumentException>(() =>
            LossDecomposition.Measure(model, inputs, init, targets.AsSpan(1).ToArray(), Batch, Time, 0f, NoiseDistribution.StandardNormal, 1)).ParamName);
        Assert.Equal("recurrentStd", Assert.Throws<ArgumentOutOfRangeException>(() =>
            LossDecomposition.Measure(model, inputs, init, targets, Batch, Time, -1f, NoiseDistribution.StandardNormal, 1)).ParamName);
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() =>
            LossDecomposition.Measure(model, inputs.AsSpan(1).ToArray(), init, targets, Batch, Time, 0f, NoiseDistribution.StandardNormal, 1)).ParamName);
    }
}
