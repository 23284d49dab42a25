using NoisyRnn.Kernels;
using NoisyRnn.Models;
using NoisyRnn.Noise;

namespace NoisyRnn.Tests.Models;

/// <summary>
/// A whole forward pass and BPTT give the same bits on one thread and on all cores: the GEMM split and the per-row
/// epilogues never change which operations a number goes through. Shares the allocation tests' collection so that the
/// GEMM helper thread is usually free (a busy helper would make both runs single-threaded, and the test weaker).
/// </summary>
[Collection(nameof(NoisyRnn.Tests.Training.AllocationMeasurements))]
public class ThreadIndependenceTests
{
    /// <summary>Recurrent products of 64 x 384 x 384 (above the parallel threshold) and a readout over batch·time rows.</summary>
    private const int Batch = 64, Time = 6, Hidden = 384, Outputs = 48;

    private static float[] Values(int n, int seed, float scale)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(rng.NextDouble() - 0.5) * scale;
        return x;
    }

    private static (float[] Outputs, float[] Hidden, float[] Gradient) Pass(IRecurrentNetwork model, int threads)
    {
        int saved = Gemm.MaxThreads;
        Gemm.MaxThreads = threads;
        try
        {
            RecurrentTape tape = model.CreateTape(Batch, Time);
            float[] inputs = Values(Batch * Time * 2, 1, 1f), init = Values(Batch * Outputs, 2, 1f);
            float[] outputGradient = Values(Batch * Time * Outputs, 3, 1e-2f);
            ParameterSet gradient = model.Parameters.CloneEmpty();
            model.Forward(inputs, init, new NoiseLevels(0.01f, 0.05f, 0.01f), NoiseStreams.FromSeed(4), tape);
            model.Backward(tape, outputGradient, gradient);
            return (tape.Outputs.ToArray(), tape.Hidden.ToArray(), gradient.Values.ToArray());
        }
        finally
        {
            Gemm.MaxThreads = saved;
        }
    }

    private static void AssertBitEqual(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]), $"{what}[{i}]: {expected[i]} vs {actual[i]}");
    }

    public static TheoryData<string> Models() => new() { "vanilla", "gru" };

    [Theory]
    [MemberData(nameof(Models))]
    public void OneAndTwoThreadsGiveTheSameBits(string kind)
    {
        IRecurrentNetwork model = kind == "vanilla"
            ? VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, Hidden, Outputs, Outputs), 5)
            : GruRnn.CreateInitialized(new GruRnnOptions(2, Hidden, Outputs, Outputs), 5);
        var one = Pass(model, 1);
        var two = Pass(model, Math.Max(2, Environment.ProcessorCount));
        AssertBitEqual(one.Outputs, two.Outputs, "outputs");
        AssertBitEqual(one.Hidden, two.Hidden, "hidden");
        AssertBitEqual(one.Gradient, two.Gradient, "gradient");
        Assert.Contains(one.Gradient, g => g != 0f);
    }
}
