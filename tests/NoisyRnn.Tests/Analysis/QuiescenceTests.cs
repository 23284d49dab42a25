using NoisyRnn.Analysis;
using NoisyRnn.Models;
using NoisyRnn.Noise;

namespace NoisyRnn.Tests.Analysis;

public class QuiescenceTests
{
    private static void FirstTwoOutputs(ReadOnlySpan<float> y, Span<float> d, int outputs)
    {
        int n = d.Length / 2;
        for (int i = 0; i < n; i++)
        {
            d[2 * i] = y[i * outputs];
            d[2 * i + 1] = y[i * outputs + 1];
        }
    }

    [Fact]
    public void ChunkedRunEqualsOneUnchunkedSimulation()
    {
        // Without noise the draws cannot differ, so the chunked run must continue each chain's state exactly.
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 9, 4, 4, Activation.Tanh), 5);
        int batch = 3, steps = Quiescence.ChunkSteps * 2 + 37;
        var h0 = new float[batch * 9];
        for (int i = 0; i < h0.Length; i++) h0[i] = 0.3f * (i % 5 - 2);

        var decoded = Quiescence.Run(model, h0, batch, steps, 0f, new GaussianNoiseSource(11),
            (y, d) => FirstTwoOutputs(y, d, 4), 2);

        var outputs = new float[batch * steps * 4];
        model.Simulate(h0, ReadOnlySpan<float>.Empty, batch, steps, 0f, new GaussianNoiseSource(11), Span<float>.Empty, outputs);
        var expected = new float[batch * steps * 2];
        FirstTwoOutputs(outputs, expected, 4);
        Assert.Equal(expected, decoded);
        // The chains really move (otherwise continuity would be untested).
        Assert.NotEqual(decoded[0], decoded[(steps - 1) * 2]);
    }

    [Fact]
    public void DivergenceIsReportedWithTheStepCountedFromTheStartOfTheRun()
    {
        const int hidden = 4;
        var model = new VanillaRnn(new VanillaRnnOptions(1, hidden, 2, hidden, Activation.Identity, 1f, 0.2f));
        // W_rec = 4 I: each step multiplies the state by (1 - 0.2) + 0.2 * 4 = 1.6, so float32 overflows near step 187.
        var w = model.Parameters["w_rec.weight"];
        for (int i = 0; i < hidden; i++) w[i * hidden + i] = 4f;
        var h0 = Enumerable.Repeat(1f, hidden).ToArray();
        var ex = Assert.Throws<SimulationDivergedException>(() =>
            Quiescence.Run(model, h0, 1, 400, 0f, new GaussianNoiseSource(1), (y, d) => FirstTwoOutputs(y, d, 2), 2));
        Assert.InRange(ex.Step, 180, 195);
        Assert.Contains($"step {ex.Step}", ex.Message);
    }

    [Fact]
    public void BadArgumentsNameTheParameter()
    {
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 4, 2, 2), 1);
        OutputDecoder decode = (y, d) => FirstTwoOutputs(y, d, 2);
        var noise = new GaussianNoiseSource(1);
        Assert.Equal("initialHidden", Assert.Throws<ArgumentException>(() => Quiescence.Run(model, new float[3], 1, 5, 0f, noise, decode, 2)).ParamName);
        Assert.Equal("steps", Assert.Throws<ArgumentOutOfRangeException>(() => Quiescence.Run(model, new float[4], 1, 0, 0f, noise, decode, 2)).ParamName);
        Assert.Equal("noiseStd", Assert.Throws<ArgumentOutOfRangeException>(() => Quiescence.Run(model, new float[4], 1, 5, -1f, noise, decode, 2)).ParamName);
        var nan = new float[4];
        nan[2] = float.NaN;
        Assert.Equal("initialHidden", Assert.Throws<ArgumentException>(() => Quiescence.Run(model, nan, 1, 5, 0f, noise, decode, 2)).ParamName);
    }
}
