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
    /// <summary>Recurrent products of 68 x 384 x 384 (above the parallel threshold; 8 tiles and a 4-row half tile, split
    /// 32 / 36 rows) and a readout over batch·time rows.</summary>
    private const int Batch = 68, Time = 6, Hidden = 384, Outputs = 48;

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

    /// <summary>Each cell, with and without adaptation and momentum in its own dynamics (the modified loops).</summary>
    public static TheoryData<string, bool> Models() => new() { { "vanilla", false }, { "gru", false }, { "vanilla", true }, { "gru", true } };

    [Theory]
    [MemberData(nameof(Models))]
    public void OneAndTwoThreadsGiveTheSameBits(string kind, bool modified)
    {
        IRecurrentNetwork model = kind == "vanilla"
            ? VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, Hidden, Outputs, Outputs), 5)
            : GruRnn.CreateInitialized(new GruRnnOptions(2, Hidden, Outputs, Outputs), 5);
        if (modified) ((ISimulatedCell)model).Dynamics = new DynamicsModifiers { Momentum = 0.5, Adaptation = 0.3 };
        var one = Pass(model, 1);
        var two = Pass(model, Math.Max(2, Environment.ProcessorCount));
        AssertBitEqual(one.Outputs, two.Outputs, "outputs");
        AssertBitEqual(one.Hidden, two.Hidden, "hidden");
        AssertBitEqual(one.Gradient, two.Gradient, "gradient");
        Assert.Contains(one.Gradient, g => g != 0f);
    }

    /// <summary>Work shared in half tiles (the Vector512 default) and in whole tiles: the same bits, since a row's
    /// arithmetic never depends on which share or which tile height computes it.</summary>
    [Theory]
    [MemberData(nameof(Models))]
    public void HalfAndWholeTileSharesGiveTheSameBits(string kind, bool modified)
    {
        IRecurrentNetwork model = kind == "vanilla"
            ? VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, Hidden, Outputs, Outputs), 6)
            : GruRnn.CreateInitialized(new GruRnnOptions(2, Hidden, Outputs, Outputs), 6);
        if (modified) ((ISimulatedCell)model).Dynamics = new DynamicsModifiers { Momentum = 0.5, Adaptation = 0.3 };
        int threads = Math.Max(2, Environment.ProcessorCount);
        bool saved = Gemm.HalfTileShares;
        try
        {
            Gemm.HalfTileShares = true;
            var half = Pass(model, threads);
            Gemm.HalfTileShares = false;
            var whole = Pass(model, threads);
            AssertBitEqual(whole.Outputs, half.Outputs, "outputs");
            AssertBitEqual(whole.Hidden, half.Hidden, "hidden");
            AssertBitEqual(whole.Gradient, half.Gradient, "gradient");
        }
        finally
        {
            Gemm.HalfTileShares = saved;
        }
    }
}

/// <summary>
/// dW_in and db_rec are summed inside the backward loop for narrow inputs and by one product over batch·time rows
/// otherwise; both paths must give the same gradients up to float32 summation order. The switch between them is
/// process-wide and changes bits, so these tests run alone (an in-process `reproduce` beside them once ended with other
/// weights than its uninterrupted twin).
/// </summary>
[Collection(nameof(NoisyRnn.Tests.Training.AllocationMeasurements))]
public class InputGradientPathTests
{
    [Theory]
    [InlineData(2, true)]
    [InlineData(6, false)]
    public void LoopSumsAndProductAgree(int inputs, bool bias)
    {
        const int batch = 21, time = 7, hidden = 40, outputs = 9;
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(inputs, hidden, outputs, outputs, Activation.Tanh, UseBias: bias), 3);
        var rng = new Random(2);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        float[] x = Values(batch * time * inputs), s = Values(batch * outputs), dy = Values(batch * time * outputs);
        ParameterSet Gradient(int maxFused)
        {
            int saved = VanillaBackwardRecurrence.MaxFusedInputs;
            VanillaBackwardRecurrence.MaxFusedInputs = maxFused;
            try
            {
                var tape = model.CreateTape(batch, time);
                model.Forward(x, s, new NoiseLevels(0f, 0.05f, 0f), NoiseStreams.FromSeed(1), tape);
                var g = model.Parameters.CloneEmpty();
                model.Backward(tape, dy, g);
                return g;
            }
            finally
            {
                VanillaBackwardRecurrence.MaxFusedInputs = saved;
            }
        }
        ParameterSet fused = Gradient(int.MaxValue), product = Gradient(0);
        foreach (string name in bias ? new[] { VanillaRnn.InputWeight, VanillaRnn.RecurrentBias } : new[] { VanillaRnn.InputWeight })
        {
            float[] a = fused[name].ToArray(), b = product[name].ToArray();
            double scale = b.Max(v => Math.Abs(v));
            Assert.True(scale > 1e-3, $"{name} is too small to compare");
            for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(a[i] - b[i]) <= 1e-5 * scale, $"{name}[{i}]: {a[i]} vs {b[i]}");
        }
        Assert.Equal(product[VanillaRnn.RecurrentWeight].ToArray(), fused[VanillaRnn.RecurrentWeight].ToArray());
    }

    [Theory]
    [InlineData(1, false, 128)]
    [InlineData(2, true, 37)]
    [InlineData(4, true, 40)]
    [InlineData(6, true, 33)]
    public void OnePassReluRowsGiveTheBitsOfTheSeparateCalls(int inputs, bool bias, int hidden)
    {
        // BPTT's ReLU rows in one pass (ReluBackwardRow) against the separate calls: activation backward, the per-tile dW_in
        // and db_rec sums (inputs <= 4) and the leak path. Hidden sizes with and without a scalar tail.
        const int batch = 21, time = 7, outputs = 9;
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(inputs, hidden, outputs, outputs, Activation.Relu, UseBias: bias), 3);
        var rng = new Random(2);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        float[] x = Values(batch * time * inputs), s = Values(batch * outputs), dy = Values(batch * time * outputs);
        (float[] Gradient, float[] InitialGradient) Run(bool fuse)
        {
            bool saved = VanillaBackwardRecurrence.FuseRows;
            VanillaBackwardRecurrence.FuseRows = fuse;
            try
            {
                var tape = model.CreateTape(batch, time);
                model.Forward(x, s, new NoiseLevels(0f, 0.05f, 0f), NoiseStreams.FromSeed(1), tape);
                var g = model.Parameters.CloneEmpty();
                model.Backward(tape, dy, g);
                return (g.Values.ToArray(), tape.InitialHiddenGradient!.ToArray());
            }
            finally
            {
                VanillaBackwardRecurrence.FuseRows = saved;
            }
        }
        var fused = Run(true);
        var separate = Run(false);
        Assert.Equal(separate.Gradient, fused.Gradient);
        Assert.Equal(separate.InitialGradient, fused.InitialGradient);
        Assert.Contains(fused.Gradient, v => v != 0f);
    }
}
