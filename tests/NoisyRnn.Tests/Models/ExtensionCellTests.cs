using NoisyRnn.Kernels;
using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Reference;

namespace NoisyRnn.Tests.Models;

/// <summary>
/// The smallest cell written on <see cref="RecurrentNetwork{TOptions, TTape}"/> (docs/extending.md): a non-leaky linear
/// RNN, h_t = W_rec h_{t-1} + W_in x̃_t + RecurrentStd·xi_t. It supplies its layout, its step and its backward step; the
/// base gives it the encoder, the noise sites, the readout, the fused training pass and Simulate.
/// </summary>
internal sealed class LinearRnn : RecurrentNetwork<VanillaRnnOptions, LinearRnn.Tape>
{
    public const string InputWeight = "w_in.weight", RecurrentWeight = "w_rec.weight", OutputWeight = "w_out.weight";

    public LinearRnn(VanillaRnnOptions options)
        : base(options, o => [
            (EncoderWeightName, [o.HiddenSize, o.InitSize]),
            (InputWeight, [o.HiddenSize, o.InputSize]),
            (RecurrentWeight, [o.HiddenSize, o.HiddenSize]),
            (OutputWeight, [o.OutputSize, o.HiddenSize])])
    {
    }

    /// <summary>The cell keeps nothing beyond the shared buffers (h_t and x̃_t are all its backward step reads).</summary>
    public sealed class Tape(VanillaRnnOptions options, int batch, int time) : RecurrentTape(options, batch, time);

    public override string Kind => "linear";
    private protected override string? EncoderBiasName => null;
    private protected override string ReadoutWeightName => OutputWeight;
    private protected override string? ReadoutBiasName => null;
    private protected override Tape NewTape(int batch, int time) => new(Options, batch, time);
    private protected override SimulationStep CreateStep(int batch, IsaTier tier) => new Step(this, batch);

    /// <summary>The recurrent step: h ← W_rec h + W_in x + s·xi.</summary>
    private sealed class Step(LinearRnn model, int batch) : SimulationStep
    {
        private readonly float[] _next = new float[batch * model.Options.HiddenSize];

        public override void Advance(float[] h, ReadOnlySpan<float> inputs, int inputStride, float[]? noise, float noiseStd, IsaTier tier, int threads)
        {
            int nH = model.Options.HiddenSize, nIn = model.Options.InputSize;
            ReadOnlySpan<float> wRec = model.Parameters[RecurrentWeight], wIn = model.Parameters[InputWeight];
            for (int b = 0; b < batch; b++)
            {
                for (int i = 0; i < nH; i++)
                {
                    float sum = 0f;
                    for (int j = 0; j < nH; j++) sum += wRec[i * nH + j] * h[b * nH + j];
                    if (!inputs.IsEmpty)
                    {
                        for (int k = 0; k < nIn; k++) sum += wIn[i * nIn + k] * inputs[b * inputStride + k];
                    }
                    if (noise is not null) sum += noiseStd * noise[b * nH + i];
                    _next[b * nH + i] = sum;
                }
            }
            _next.CopyTo(h, 0);
        }
    }

    /// <summary>The backward step, s = T-1 .. 0, with g = dL/dh_s: dW_rec += g h_{s-1}ᵀ, dW_in += g x̃_sᵀ,
    /// dL/dh_{s-1} += W_recᵀ g (into dL/dh_0 at s = 0).</summary>
    private protected override void BackwardSteps(Tape tape, ParameterSet gradient, IsaTier tier, int threads)
    {
        int batch = tape.Batch, time = tape.Time, nH = Options.HiddenSize, nIn = Options.InputSize;
        ReadOnlySpan<float> wRec = Parameters[RecurrentWeight];
        Span<float> dWrec = gradient[RecurrentWeight], dWin = gradient[InputWeight];
        float[] dh = tape.HiddenGradient!, h = tape.HiddenBuffer, x = tape.NoisyInputBuffer, h0 = tape.InitialHiddenBuffer;
        float[] dh0 = tape.InitialHiddenGradient ??= new float[batch * nH];
        Array.Clear(dh0);
        for (int b = 0; b < batch; b++)
        {
            for (int s = time - 1; s >= 0; s--)
            {
                int row = (b * time + s) * nH;
                ReadOnlySpan<float> previous = s == 0 ? h0.AsSpan(b * nH, nH) : h.AsSpan(row - nH, nH);
                Span<float> dPrevious = s == 0 ? dh0.AsSpan(b * nH, nH) : dh.AsSpan(row - nH, nH);
                for (int i = 0; i < nH; i++)
                {
                    float g = dh[row + i];
                    for (int j = 0; j < nH; j++)
                    {
                        dWrec[i * nH + j] += g * previous[j];
                        dPrevious[j] += wRec[i * nH + j] * g;
                    }
                    for (int k = 0; k < nIn; k++) dWin[i * nIn + k] += g * x[(b * time + s) * nIn + k];
                }
            }
        }
    }
}

public class ExtensionCellTests
{
    private const int Batch = 3, Time = 6, Hidden = 5, Input = 2, Output = 4, Init = 3;

    /// <summary>Central-difference step: balances float32 rounding of the loss (grows as 1/eps) against truncation, which
    /// is zero here (the loss is linear in each single weight but for the products over steps of W_rec).</summary>
    private const float Epsilon = 1e-2f;

    /// <summary>Float32 rounding of the loss (~1e-6 absolute on |L| ~ 5) divided by 2·eps, plus the eps² curvature of the
    /// W_rec powers.</summary>
    private const double AbsoluteTolerance = 2e-3;

    private static float[] Random(int n, Random rng, double scale)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        return x;
    }

    private static (LinearRnn Model, float[] Inputs, float[] Init, float[] Weights, Func<NoiseStreams> Streams, NoiseLevels Noise) Problem(int seed)
    {
        var rng = new Random(seed);
        var model = new LinearRnn(new VanillaRnnOptions(Input, Hidden, Output, Init));
        float[] values = Random(model.Parameters.Values.Length, rng, 0.4);
        values.CopyTo(model.Parameters.Values, 0);
        float[] inputDraws = Random(Batch * Time * Input, rng, 1), recurrentDraws = Random(Batch * Time * Hidden, rng, 1);
        float[] outputDraws = Random(Batch * Time * Output, rng, 1);
        NoiseStreams Streams() => new(
            new ReplayNoiseSource(inputDraws, NoiseDistribution.StandardNormal),
            new ReplayNoiseSource(recurrentDraws, NoiseDistribution.StandardNormal),
            new ReplayNoiseSource(outputDraws, NoiseDistribution.StandardNormal));
        return (model, Random(Batch * Time * Input, rng, 1), Random(Batch * Init, rng, 1), Random(Batch * Time * Output, rng, 1),
            Streams, new NoiseLevels(0.05f, 0.1f, 0.02f));
    }

    [Fact]
    public void BackwardMatchesCentralDifferencesForEveryParameter()
    {
        var (model, inputs, init, weights, streams, noise) = Problem(3);
        var tape = model.CreateTape(Batch, Time);
        double Loss()
        {
            model.Forward(inputs, init, noise, streams(), tape);
            double loss = 0;
            for (int i = 0; i < weights.Length; i++) loss += (double)weights[i] * tape.Outputs[i];
            return loss;
        }

        Loss();
        var gradient = model.Parameters.CloneEmpty();
        model.Backward(tape, weights, gradient); // dL/dy = w
        float[] theta = model.Parameters.Values;
        for (int i = 0; i < theta.Length; i++)
        {
            float saved = theta[i];
            theta[i] = saved + Epsilon;
            double plus = Loss();
            theta[i] = saved - Epsilon;
            double minus = Loss();
            theta[i] = saved;
            double numeric = (plus - minus) / (2 * Epsilon);
            Assert.True(Math.Abs(numeric - gradient.Values[i]) <= AbsoluteTolerance,
                $"parameter {i}: backward {gradient.Values[i]}, central difference {numeric}");
        }
    }

    [Fact]
    public void SimulateRunsTheSameStepAsForward()
    {
        var (model, inputs, init, _, _, _) = Problem(4);
        var tape = model.CreateTape(Batch, Time);
        var none = new NoiseStreams(null!, null!, null!);
        model.Forward(inputs, init, new NoiseLevels(0f, 0f, 0f), none, tape);
        var h0 = new float[Batch * Hidden];
        model.Encode(init, Batch, h0);
        var hidden = new float[Batch * Time * Hidden];
        var outputs = new float[Batch * Time * Output];
        model.Simulate(h0, inputs, Batch, Time, 0f, new GaussianNoiseSource(1), hidden, outputs);
        Assert.Equal(tape.Hidden.ToArray(), hidden);
        Assert.Equal(tape.Outputs.ToArray(), outputs);
    }

    [Fact]
    public void TheSharedTrainingPassGivesTheSeparateCallsGradient()
    {
        var (model, inputs, init, targets, streams, noise) = Problem(5);
        IRecurrentNetwork network = model;
        var tape = network.CreateTape(Batch, Time);
        var fused = model.Parameters.CloneEmpty();
        double loss = network.ForwardBackwardMse(inputs, init, targets, noise, streams(), tape, fused);

        var separate = model.Parameters.CloneEmpty();
        network.Forward(inputs, init, noise, streams(), tape);
        var dy = new float[targets.Length];
        double expected = NoisyRnn.Training.MseLoss.Compute(tape.Outputs, targets, dy);
        network.Backward(tape, dy, separate);
        Assert.Equal(expected, loss);
        Assert.Equal(separate.Values, fused.Values);
    }

    [Fact]
    public void ACellWithoutAModifiedStepRefusesTrainingModifiers()
    {
        // Dynamics lives on the base; a cell whose loops do not run it says so rather than training without it.
        var (model, _, _, _, _, _) = Problem(6);
        var e = Assert.Throws<NotSupportedException>(() => model.Dynamics = new DynamicsModifiers { Momentum = 0.5 });
        Assert.Contains("linear", e.Message);
        model.Dynamics = DynamicsModifiers.None;
        Assert.Same(DynamicsModifiers.None, model.Dynamics);
    }
}
