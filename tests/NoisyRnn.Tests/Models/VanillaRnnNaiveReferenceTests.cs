using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Reference;

namespace NoisyRnn.Tests.Models;

/// <summary>
/// Checks the SIMD forward pass at sizes where the GEMM uses full register tiles, several row blocks and column
/// tails (hidden 37, batch 9) against a plain float64 implementation of the same equations.
/// </summary>
public class VanillaRnnNaiveReferenceTests
{
    private const int Batch = 9, Time = 4, Hidden = 37, Input = 3, Output = 20, Init = 6;

    /// <summary>float32 against float64 over sums of ~40 terms and 4 recurrent steps.</summary>
    private const double Tolerance = 1e-4;

    private static float[] Random(int n, Random rng, double scale = 1)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        return x;
    }

    private static double Act(double u, Activation a) => a switch
    {
        Activation.Relu => Math.Max(u, 0),
        Activation.Tanh => Math.Tanh(u),
        Activation.Sigmoid => 1 / (1 + Math.Exp(-u)),
        _ => u,
    };

    [Theory]
    [InlineData(Activation.Tanh, true)]
    [InlineData(Activation.Relu, false)]
    public void ForwardMatchesPlainFloat64Equations(Activation activation, bool bias)
    {
        var rng = new Random(5);
        var options = new VanillaRnnOptions(Input, Hidden, Output, Init, activation, TimeConstant: 2f, Dt: 0.5f, UseBias: bias);
        var model = VanillaRnn.CreateInitialized(options, 8);
        float[] x = Random(Batch * Time * Input, rng), s = Random(Batch * Init, rng);
        float[] xiIn = Random(Batch * Time * Input, rng), xiRec = Random(Batch * Time * Hidden, rng), xiOut = Random(Batch * Time * Output, rng);
        var noise = new NoiseLevels(0.1f, 0.05f, 0.2f);
        var streams = new NoiseStreams(new ReplayNoiseSource(xiIn, NoiseDistribution.StandardNormal),
            new ReplayNoiseSource(xiRec, NoiseDistribution.StandardNormal), new ReplayNoiseSource(xiOut, NoiseDistribution.StandardNormal));
        var tape = model.CreateTape(Batch, Time);
        model.Forward(x, s, noise, streams, tape);

        var p = model.Parameters;
        float[] wEnc = p[VanillaRnn.EncoderWeight].ToArray(), wIn = p[VanillaRnn.InputWeight].ToArray();
        float[] wRec = p[VanillaRnn.RecurrentWeight].ToArray(), wOut = p[VanillaRnn.OutputWeight].ToArray();
        float[] bRec = bias ? p[VanillaRnn.RecurrentBias].ToArray() : new float[Hidden];
        float[] bOut = bias ? p[VanillaRnn.OutputBias].ToArray() : new float[Output];
        double alpha = 0.25;
        for (int b = 0; b < Batch; b++)
        {
            var h = new double[Hidden];
            for (int i = 0; i < Hidden; i++)
                for (int j = 0; j < Init; j++) h[i] += wEnc[i * Init + j] * (double)s[b * Init + j];
            for (int t = 0; t < Time; t++)
            {
                int r = b * Time + t;
                var next = new double[Hidden];
                for (int i = 0; i < Hidden; i++)
                {
                    double u = bRec[i];
                    for (int j = 0; j < Hidden; j++) u += wRec[i * Hidden + j] * h[j];
                    for (int j = 0; j < Input; j++) u += wIn[i * Input + j] * ((double)x[r * Input + j] + 0.1 * xiIn[r * Input + j]);
                    next[i] = (1 - alpha) * h[i] + alpha * Act(u, activation) + 0.05 * xiRec[r * Hidden + i];
                }
                h = next;
                for (int i = 0; i < Hidden; i++)
                    Assert.True(Math.Abs(h[i] - tape.Hidden[r * Hidden + i]) <= Tolerance, $"h[{b},{t},{i}]: {h[i]} vs {tape.Hidden[r * Hidden + i]}");
                for (int o = 0; o < Output; o++)
                {
                    double y = bOut[o] + 0.2 * xiOut[r * Output + o];
                    for (int j = 0; j < Hidden; j++) y += wOut[o * Hidden + j] * h[j];
                    Assert.True(Math.Abs(y - tape.Outputs[r * Output + o]) <= Tolerance, $"y[{b},{t},{o}]: {y} vs {tape.Outputs[r * Output + o]}");
                }
            }
        }
    }

    [Fact]
    public void BackwardMatchesCentralDifferencesOnSampledParameters()
    {
        // Medium sizes exercise full GEMM tiles in BPTT; sample parameters instead of all ~2000.
        const float eps = 2e-3f;
        const double absTol = 1e-3, relTol = 2e-3; // float32 loss rounding / 2 eps, and O(eps²) truncation
        var rng = new Random(6);
        var options = new VanillaRnnOptions(Input, Hidden, Output, Init, Activation.Tanh, UseBias: true);
        var model = VanillaRnn.CreateInitialized(options, 9);
        float[] x = Random(Batch * Time * Input, rng), s = Random(Batch * Init, rng), w = Random(Batch * Time * Output, rng);
        float[] xiRec = Random(Batch * Time * Hidden, rng);
        var noise = NoiseLevels.Recurrent(0.1f);
        var tape = model.CreateTape(Batch, Time);
        double Loss()
        {
            var streams = new NoiseStreams(new GaussianNoiseSource(1), new ReplayNoiseSource(xiRec, NoiseDistribution.StandardNormal), new GaussianNoiseSource(2));
            model.Forward(x, s, noise, streams, tape);
            double l = 0;
            for (int i = 0; i < w.Length; i++) l += (double)w[i] * tape.Outputs[i];
            return l;
        }
        Loss();
        var gradient = model.Parameters.CloneEmpty();
        model.Backward(tape, w, gradient);
        float[] theta = model.Parameters.Values;
        foreach (var view in model.Parameters.Views)
        {
            for (int sample = 0; sample < 8; sample++)
            {
                int i = view.Offset + rng.Next(view.Length);
                float original = theta[i];
                theta[i] = original + eps;
                double plus = Loss();
                theta[i] = original - eps;
                double minus = Loss();
                theta[i] = original;
                double numeric = (plus - minus) / ((double)(original + eps) - (double)(original - eps));
                double analytic = gradient.Values[i];
                Assert.True(Math.Abs(numeric - analytic) <= absTol + relTol * Math.Abs(analytic),
                    $"{view.Name}[{i - view.Offset}]: numeric {numeric}, backward {analytic}");
            }
        }
    }
}
