using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Reference;

namespace NoisyRnn.Tests.Models;

public class VanillaRnnSimulateTests
{
    /// <summary>Simulate and Forward run the same kernels in the same order; only ±0 signs or tail paths may differ.</summary>
    private const float SameKernelsTolerance = 1e-6f;

    private static float[] Random(int n, int seed, double scale = 1)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        return x;
    }

    [Theory]
    [InlineData(Activation.Relu, false)]
    [InlineData(Activation.Tanh, true)]
    public void ZeroInputQuiescenceEqualsNoiseFreeForward(Activation activation, bool bias)
    {
        const int batch = 4, time = 9;
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(3, 19, 6, 6, activation, UseBias: bias), 3);
        var tape = model.CreateTape(batch, time);
        float[] initState = Random(batch * 6, 1);
        var unused = NoiseStreams.FromSeed(0);
        model.Forward(new float[batch * time * 3], initState, NoiseLevels.None, unused, tape);

        var h0 = new float[batch * 19];
        model.Encode(initState, batch, h0);
        Assert.Equal(tape.InitialHidden.ToArray(), h0);

        var hidden = new float[batch * time * 19];
        var outputs = new float[batch * time * 6];
        model.Simulate(h0, ReadOnlySpan<float>.Empty, batch, time, 0f, new GaussianNoiseSource(1), hidden, outputs);
        for (int i = 0; i < hidden.Length; i++) Assert.Equal(tape.Hidden[i], hidden[i], SameKernelsTolerance);
        for (int i = 0; i < outputs.Length; i++) Assert.Equal(tape.Outputs[i], outputs[i], SameKernelsTolerance);
    }

    [Fact]
    public void DrivenSimulationEqualsForwardWithTheSameInputs()
    {
        const int batch = 3, time = 7;
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 33, 5, 5, Activation.Sigmoid, UseBias: true), 9);
        float[] inputs = Random(batch * time * 2, 4), initState = Random(batch * 5, 5);
        var tape = model.CreateTape(batch, time);
        model.Forward(inputs, initState, NoiseLevels.None, NoiseStreams.FromSeed(1), tape);
        var outputs = new float[batch * time * 5];
        model.Simulate(tape.InitialHidden, inputs, batch, time, 0f, new GaussianNoiseSource(1), default, outputs);
        for (int i = 0; i < outputs.Length; i++) Assert.Equal(tape.Outputs[i], outputs[i], SameKernelsTolerance);
    }

    [Fact]
    public void ForwardDrawsTheNoiseAsItsDocumentationSays()
    {
        // Input and output noise: one Fill of the [batch, time, n] block. Recurrent noise: one FillRows with a row of
        // time·hidden draws per trajectory, which for a Gaussian source is a substream per trajectory (not Fill's values).
        const int batch = 3, time = 4, hiddenSize = 5, inputs = 2, outputs = 3;
        var options = new VanillaRnnOptions(inputs, hiddenSize, outputs, 2);
        var model = VanillaRnn.CreateInitialized(options, 4);
        var tape = model.CreateTape(batch, time);
        model.Forward(Random(batch * time * inputs, 1), Random(batch * 2, 2), new NoiseLevels(0.1f, 0.2f, 0.3f),
            new NoiseStreams(new GaussianNoiseSource(11), new GaussianNoiseSource(12), new GaussianNoiseSource(13)), tape);
        float[] Fill(ulong seed, int n)
        {
            var draws = new float[n];
            new GaussianNoiseSource(seed).Fill(draws);
            return draws;
        }
        var rows = new float[batch * time * hiddenSize];
        new GaussianNoiseSource(12).FillRows(rows, time * hiddenSize);
        Assert.Equal(Fill(11, batch * time * inputs), tape.InputNoise);
        Assert.Equal(rows, tape.RecurrentNoise);
        Assert.NotEqual(Fill(12, rows.Length), tape.RecurrentNoise);
        Assert.Equal(Fill(13, batch * time * outputs), tape.OutputNoise);
    }

    [Fact]
    public void NoisySimulationReplaysDrawsStepByStep()
    {
        const int batch = 2, time = 3, hiddenSize = 4;
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(1, hiddenSize, 2, 2, Activation.Identity, Dt: 1f), 2);
        float[] draws = Random(batch * time * hiddenSize, 8);
        var h0 = Random(batch * hiddenSize, 6);
        var hidden = new float[batch * time * hiddenSize];
        model.Simulate(h0, default, batch, time, 0.5f, new ReplayNoiseSource(draws, NoiseDistribution.StandardNormal), hidden, default);

        // Dt = tau: h_t = W_rec h_{t-1} + 0.5 xi_t, with draws consumed as one [batch, hidden] block per step.
        float[] w = model.Parameters[VanillaRnn.RecurrentWeight].ToArray();
        var h = (float[])h0.Clone();
        for (int t = 0; t < time; t++)
        {
            var next = new float[h.Length];
            for (int b = 0; b < batch; b++)
            for (int i = 0; i < hiddenSize; i++)
            {
                double s = 0;
                for (int j = 0; j < hiddenSize; j++) s += w[i * hiddenSize + j] * h[b * hiddenSize + j];
                next[b * hiddenSize + i] = (float)(s + 0.5 * draws[(t * batch + b) * hiddenSize + i]);
            }
            h = next;
            for (int b = 0; b < batch; b++)
            for (int i = 0; i < hiddenSize; i++)
                Assert.Equal(h[b * hiddenSize + i], hidden[(b * time + t) * hiddenSize + i], 1e-5f);
        }
    }

    [Fact]
    public void ExplodingDynamicsReportTheStep()
    {
        const int batch = 2, hiddenSize = 8, time = 500;
        var model = new VanillaRnn(new VanillaRnnOptions(1, hiddenSize, 1, 1, Activation.Identity));
        Span<float> w = model.Parameters[VanillaRnn.RecurrentWeight];
        for (int i = 0; i < hiddenSize; i++) w[i * hiddenSize + i] = 1000f;
        var h0 = new float[batch * hiddenSize];
        Array.Fill(h0, 1f);
        // Growth per step: 0.8 + 0.2·1000 ≈ 200, so float32 (max 3.4e38) overflows after ~17 steps.
        var ex = Assert.Throws<SimulationDivergedException>(() =>
            model.Simulate(h0, default, batch, time, 0f, new GaussianNoiseSource(1), default, default));
        Assert.InRange(ex.Step, 10, 25);
        Assert.Contains($"step {ex.Step}", ex.Message);
    }
}
