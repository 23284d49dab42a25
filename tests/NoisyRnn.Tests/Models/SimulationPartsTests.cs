using NoisyRnn.Kernels;
using NoisyRnn.Models;
using NoisyRnn.Noise;

namespace NoisyRnn.Tests.Models;

/// <summary>
/// Zero-input simulation steps parts of the batch on their own cores, the noise drawn a stretch ahead
/// (<see cref="SimulationRun"/>): the states, readouts and reported divergences must be those of the one-block loop, bit
/// for bit. Batch 68 (a half tile), hidden 128 and 70 steps: above the parallel threshold, several noise stretches.
/// </summary>
[Collection(nameof(NoisyRnn.Tests.Training.AllocationMeasurements))]
public class SimulationPartsTests
{
    private const int Batch = 68, Hidden = 128, Outputs = 32, Time = 70;

    private static IRecurrentNetwork Model(string kind, ulong seed) => kind == "vanilla"
        ? VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, Hidden, Outputs, Outputs, Activation.Relu, 1f, 0.2f, UseBias: true), seed)
        : GruRnn.CreateInitialized(new GruRnnOptions(2, Hidden, Outputs, Outputs, Activation.Tanh, 1f, 0.2f), seed);

    private static float[] Start(int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, Batch * Hidden).Select(_ => (float)rng.NextDouble()).ToArray();
    }

    /// <summary>Runs <paramref name="run"/> with parts per core on or off, on at least two threads.</summary>
    private static T With<T>(bool parts, Func<T> run)
    {
        bool savedParts = SimulationRun.PartsPerCore;
        int savedThreads = Gemm.MaxThreads;
        try
        {
            SimulationRun.PartsPerCore = parts;
            Gemm.MaxThreads = Math.Max(2, Environment.ProcessorCount);
            return run();
        }
        finally
        {
            SimulationRun.PartsPerCore = savedParts;
            Gemm.MaxThreads = savedThreads;
        }
    }

    private static void AssertBitEqual(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]), $"{what}[{i}]: {expected[i]} vs {actual[i]}");
    }

    [Theory]
    [InlineData("vanilla", 0.3f)]
    [InlineData("vanilla", 0f)]
    [InlineData("gru", 0.3f)]
    public void PartsPerCoreGiveTheBitsOfTheOneBlockLoop(string kind, float noiseStd)
    {
        IRecurrentNetwork model = Model(kind, 3);
        float[] h0 = Start(4);
        (float[] Hidden, float[] Outputs) Run()
        {
            float[] hidden = new float[Batch * Time * Hidden], outputs = new float[Batch * Time * Outputs];
            model.Simulate(h0, default, Batch, Time, noiseStd, new GaussianNoiseSource(5), hidden, outputs);
            return (hidden, outputs);
        }
        var block = With(false, Run);
        var parts = With(true, Run);
        AssertBitEqual(block.Hidden, parts.Hidden, "hidden");
        AssertBitEqual(block.Outputs, parts.Outputs, "outputs");
        Assert.Contains(parts.Outputs, v => v != 0f);
    }

    /// <summary>Quiescence in chunks of 100 steps (the last one shorter) of many noise stretches, an odd batch (37 chains:
    /// a 1-row share at the end) and the split moving between stretches: the decoded outputs of the one-block loop.</summary>
    [Fact]
    public void QuiescenceInChunksAndAnOddBatchKeepsTheBits()
    {
        const int batch = 37, hidden = 256, outputs = 16, steps = 237;
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, hidden, outputs, outputs, Activation.Relu, 1f, 0.2f, UseBias: true), 8);
        var rng = new Random(9);
        float[] h0 = Enumerable.Range(0, batch * hidden).Select(_ => (float)rng.NextDouble()).ToArray();
        float[] Run() => NoisyRnn.Analysis.Quiescence.Run(model, h0, batch, steps, 0.2f, new GaussianNoiseSource(10), (y, d) => y.CopyTo(d), outputs);
        AssertBitEqual(With(false, Run), With(true, Run), "decoded");
    }

    /// <summary>Rows of the second half start at 1, the others at 0, so one part of the batch diverges and the other not:
    /// the state through W_rec = 1000·I (identity activation), or the readout through W_out = 3e38 first (quiescence
    /// checks both).</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ADivergenceIsReportedAtTheStepAndPlaceOfTheOneBlockLoop(bool readoutFirst)
    {
        var model = new VanillaRnn(new VanillaRnnOptions(2, Hidden, Outputs, Outputs, Activation.Identity));
        Span<float> w = model.Parameters[VanillaRnn.RecurrentWeight];
        for (int i = 0; i < Hidden; i++) w[i * Hidden + i] = 1000f;
        if (readoutFirst) model.Parameters[VanillaRnn.OutputWeight].Fill(3e38f);
        var h0 = new float[Batch * Hidden];
        h0.AsSpan(Batch / 2 * Hidden).Fill(1f);
        // Quiescence checks the readout (Simulate does not); the decoder copies the outputs.
        SimulationDivergedException Run() => Assert.Throws<SimulationDivergedException>(() =>
            NoisyRnn.Analysis.Quiescence.Run(model, h0, Batch, Time, 0f, new GaussianNoiseSource(1), (y, d) => y.CopyTo(d), Outputs));
        var block = With(false, Run);
        var parts = With(true, Run);
        Assert.Equal(block.Step, parts.Step);
        Assert.Equal(block.Message, parts.Message);
        Assert.Equal(readoutFirst, block.Message.Contains("readout"));
    }
}
