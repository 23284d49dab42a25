using NoisyRnn.Kernels;
using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Training;

namespace NoisyRnn.Tests.Models;

/// <summary>
/// ForwardBackwardMse (the readout, the loss and the readout's gradient fused block by block in cache) against the three
/// separate calls it replaces (Forward, MseLoss.Compute, Backward): the same gradient, dL/dh and noise bits, the same loss
/// bits when the output count is a multiple of 16; the same bits on one thread and on all cores; the small-batch fallback;
/// divergence and bad arguments.
/// </summary>
[Collection(nameof(NoisyRnn.Tests.Training.AllocationMeasurements))]
public class FusedReadoutTests
{
    /// <summary>41 x 100 = 4100 rows: three depth pieces of the readout's weight gradient (2048, 2048, 4), the last block short.</summary>
    private const int Batch = 41, Time = 100;

    private static float[] Values(int n, int seed, float scale, float offset = -0.5f)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(rng.NextDouble() + offset) * scale;
        return x;
    }

    private static IRecurrentNetwork Create(string kind, int hidden, int outputs, bool bias) => kind == "vanilla"
        ? VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, hidden, outputs, outputs, Activation.Relu, 1f, 0.2f, bias), 7)
        : GruRnn.CreateInitialized(new GruRnnOptions(2, hidden, outputs, outputs, Activation.Tanh, 1f, 0.2f, bias), 7);

    private sealed record Pass(double Loss, float[] Gradient, float[] HiddenGradient, float[] Hidden, bool HasOutputs);

    private static (float[] Inputs, float[] Init, float[] Targets) Data(IRecurrentNetwork model, int batch)
    {
        var o = model.NetworkOptions;
        return (Values(batch * Time * o.InputSize, 1, 1f), Values(batch * o.InitSize, 2, 1f, 0f), Values(batch * Time * o.OutputSize, 3, 1f, 0f));
    }

    private static readonly NoiseLevels Noise = new(0.05f, 0.05f, 0.02f);

    private static Pass Fused(IRecurrentNetwork model, int batch, NoiseLevels noise, int threads = 0)
    {
        int saved = Gemm.MaxThreads;
        if (threads > 0) Gemm.MaxThreads = threads;
        try
        {
            var (x, s, t) = Data(model, batch);
            RecurrentTape tape = model.CreateTape(batch, Time);
            ParameterSet gradient = model.Parameters.CloneEmpty();
            double loss = model.ForwardBackwardMse(x, s, t, noise, NoiseStreams.FromSeed(9), tape, gradient);
            return new Pass(loss, gradient.Values.ToArray(), HiddenGradient(tape), tape.Hidden.ToArray(), tape.HasOutputs);
        }
        finally
        {
            Gemm.MaxThreads = saved;
        }
    }

    private static Pass Separate(IRecurrentNetwork model, int batch, NoiseLevels noise)
    {
        var (x, s, t) = Data(model, batch);
        RecurrentTape tape = model.CreateTape(batch, Time);
        ParameterSet gradient = model.Parameters.CloneEmpty();
        model.Forward(x, s, noise, NoiseStreams.FromSeed(9), tape);
        var dy = new float[t.Length];
        double loss = MseLoss.Compute(tape.Outputs, t, dy);
        model.Backward(tape, dy, gradient);
        return new Pass(loss, gradient.Values.ToArray(), HiddenGradient(tape), tape.Hidden.ToArray(), tape.HasOutputs);
    }

    private static float[] HiddenGradient(RecurrentTape tape) => tape switch
    {
        VanillaTape f => f.HiddenGradient!.ToArray(),
        GruTape g => g.HiddenGradient!.ToArray(),
        _ => throw new ArgumentException("unknown tape"),
    };

    private static void AssertBitEqual(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]), $"{what}[{i}]: {expected[i]} vs {actual[i]}");
    }

    public static TheoryData<string, int, int, bool> Cases() => new()
    {
        { "vanilla", 24, 48, false },
        { "vanilla", 40, 32, true },
        { "gru", 24, 48, false },
        { "gru", 16, 32, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void FusedPassGivesTheBitsOfTheSeparateCalls(string kind, int hidden, int outputs, bool bias)
    {
        IRecurrentNetwork model = Create(kind, hidden, outputs, bias);
        Assert.True(MseReadout.Applies(Batch * Time, hidden, outputs, Isa.Tier) || Isa.Tier == IsaTier.Scalar);
        Pass separate = Separate(model, Batch, Noise);
        Pass fused = Fused(model, Batch, Noise);
        Assert.Equal(separate.Loss, fused.Loss); // outputs a multiple of 16: MseLoss's chunks
        AssertBitEqual(separate.Hidden, fused.Hidden, "hidden");
        AssertBitEqual(separate.HiddenGradient, fused.HiddenGradient, "dL/dh");
        AssertBitEqual(separate.Gradient, fused.Gradient, "gradient");
        Assert.Contains(fused.Gradient, g => g != 0f);
        Assert.True(separate.HasOutputs);
        Assert.Equal(Isa.Tier == IsaTier.Scalar, fused.HasOutputs); // the fused path never writes the outputs
    }

    [Theory]
    [InlineData("vanilla")]
    [InlineData("gru")]
    public void OutputCountsOffTheChunkGridChangeOnlyTheLossRounding(string kind)
    {
        // 256 rows x 37 outputs is not a whole number of 4096-element chunks: the fused loss sums chunks cut at block ends.
        IRecurrentNetwork model = Create(kind, 20, 37, true);
        Pass separate = Separate(model, Batch, Noise);
        Pass fused = Fused(model, Batch, Noise);
        Assert.Equal(separate.Loss, fused.Loss, separate.Loss * 1e-6);
        AssertBitEqual(separate.Gradient, fused.Gradient, "gradient");
        AssertBitEqual(separate.HiddenGradient, fused.HiddenGradient, "dL/dh");
    }

    [Theory]
    [InlineData("vanilla")]
    [InlineData("gru")]
    public void OneAndTwoThreadsGiveTheSameBits(string kind)
    {
        IRecurrentNetwork model = Create(kind, 32, 64, true);
        Pass one = Fused(model, Batch, Noise, threads: 1);
        Pass two = Fused(model, Batch, Noise, threads: Math.Max(2, Environment.ProcessorCount));
        Assert.Equal(one.Loss, two.Loss);
        AssertBitEqual(one.Gradient, two.Gradient, "gradient");
        AssertBitEqual(one.HiddenGradient, two.HiddenGradient, "dL/dh");
    }

    [Fact]
    public void SmallBatchesTakeTheSeparatePathAndKeepTheOutputs()
    {
        IRecurrentNetwork model = Create("vanilla", 24, 48, false);
        Assert.False(MseReadout.Applies(5 * Time, 24, 48, Isa.Tier));
        Pass separate = Separate(model, 5, Noise);
        Pass fused = Fused(model, 5, Noise);
        Assert.Equal(separate.Loss, fused.Loss);
        AssertBitEqual(separate.Gradient, fused.Gradient, "gradient");
        Assert.True(fused.HasOutputs);
    }

    [Fact]
    public void TheInterfaceDefaultMakesTheThreeCalls()
    {
        var inner = (VanillaRnn)Create("vanilla", 24, 48, true);
        IRecurrentNetwork wrapped = new DelegatingNetwork(inner);
        Pass fused = Fused(inner, Batch, Noise);
        Pass viaDefault = Fused(wrapped, Batch, Noise);
        Assert.Equal(fused.Loss, viaDefault.Loss);
        AssertBitEqual(fused.Gradient, viaDefault.Gradient, "gradient");
        Assert.True(viaDefault.HasOutputs);
    }

    [Fact]
    public void TheFusedTapeRefusesToHandOutOutputsItNeverWrote()
    {
        var model = (VanillaRnn)Create("vanilla", 24, 48, false);
        var (x, s, t) = Data(model, Batch);
        VanillaTape tape = model.CreateTape(Batch, Time);
        Assert.Throws<InvalidOperationException>(() => tape.Outputs.Length); // no pass yet
        model.ForwardBackwardMse(x, s, t, Noise, NoiseStreams.FromSeed(1), tape, model.Parameters.CloneEmpty());
        Assert.True(tape.HasForward);
        var e = Assert.Throws<InvalidOperationException>(() => tape.Outputs.Length);
        Assert.Contains("ForwardBackwardMse", e.Message);
        model.Forward(x, s, Noise, NoiseStreams.FromSeed(1), tape);
        Assert.True(tape.HasOutputs);
        Assert.Equal(Batch * Time * 48, tape.Outputs.Length);
    }

    [Theory]
    [InlineData("vanilla")]
    [InlineData("gru")]
    public void ADivergedReadoutReturnsANonFiniteLossAndLeavesTheGradientAlone(string kind)
    {
        IRecurrentNetwork model = Create(kind, 24, 48, false);
        var (x, s, t) = Data(model, Batch);
        // A readout weight of 1e30 overflows y² (and y itself for large h): the loss is +Infinity or NaN.
        string readout = kind == "vanilla" ? VanillaRnn.OutputWeight : GruRnn.DecoderWeight;
        model.Parameters[readout].Fill(1e30f);
        ParameterSet gradient = model.Parameters.CloneEmpty();
        gradient.Values.AsSpan().Fill(0.25f);
        double loss = model.ForwardBackwardMse(x, s, t, Noise, NoiseStreams.FromSeed(1), model.CreateTape(Batch, Time), gradient);
        Assert.False(double.IsFinite(loss));
        Assert.All(gradient.Values, g => Assert.Equal(0.25f, g));
    }

    [Fact]
    public void ANonFiniteTargetIsAnErrorNamingTargets()
    {
        IRecurrentNetwork model = Create("vanilla", 24, 48, false);
        var (x, s, t) = Data(model, Batch);
        t[t.Length / 2] = float.NaN;
        var e = Assert.Throws<ArgumentException>(() =>
            model.ForwardBackwardMse(x, s, t, Noise, NoiseStreams.FromSeed(1), model.CreateTape(Batch, Time), model.Parameters.CloneEmpty()));
        Assert.Equal("targets", e.ParamName);
    }

    [Theory]
    [InlineData("vanilla")]
    [InlineData("gru")]
    public void BadShapesAndLayoutsAreErrorsNamingTheArgument(string kind)
    {
        IRecurrentNetwork model = Create(kind, 24, 48, false);
        var (x, s, t) = Data(model, Batch);
        RecurrentTape tape = model.CreateTape(Batch, Time);
        Assert.Equal("targets", Assert.Throws<ArgumentException>(() =>
            model.ForwardBackwardMse(x, s, t.AsSpan(1), Noise, NoiseStreams.FromSeed(1), tape, model.Parameters.CloneEmpty())).ParamName);
        Assert.Equal("gradient", Assert.Throws<ArgumentException>(() =>
            model.ForwardBackwardMse(x, s, t, Noise, NoiseStreams.FromSeed(1), tape, new ParameterSet([("w", new[] { 3 })]))).ParamName);
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() =>
            model.ForwardBackwardMse(x.AsSpan(1), s, t, Noise, NoiseStreams.FromSeed(1), tape, model.Parameters.CloneEmpty())).ParamName);
        Assert.Throws<ArgumentNullException>(() =>
            model.ForwardBackwardMse(x, s, t, Noise, NoiseStreams.FromSeed(1), tape, null!));
        IRecurrentNetwork other = Create(kind == "vanilla" ? "gru" : "vanilla", 24, 48, false);
        Assert.Equal("tape", Assert.Throws<ArgumentException>(() =>
            model.ForwardBackwardMse(x, s, t, Noise, NoiseStreams.FromSeed(1), other.CreateTape(Batch, Time), model.Parameters.CloneEmpty())).ParamName);
    }

    [Theory]
    [InlineData("vanilla")]
    [InlineData("gru")]
    public void TheModelsOwnParametersAreRefusedAsTheGradient(string kind)
    {
        // BPTT reads W_out (dY·W_out) after adding dW_out into the gradient: with the parameters as the gradient the
        // result would depend on that order, and the fused and separate paths would disagree.
        IRecurrentNetwork model = Create(kind, 24, 48, false);
        var (x, s, t) = Data(model, Batch);
        float[] before = model.Parameters.Values.ToArray();
        RecurrentTape tape = model.CreateTape(Batch, Time);
        Assert.Equal("gradient", Assert.Throws<ArgumentException>(() =>
            model.ForwardBackwardMse(x, s, t, Noise, NoiseStreams.FromSeed(1), tape, model.Parameters)).ParamName);
        model.Forward(x, s, Noise, NoiseStreams.FromSeed(1), tape);
        Assert.Equal("gradient", Assert.Throws<ArgumentException>(() =>
            model.Backward(tape, new float[t.Length], model.Parameters)).ParamName);
        Assert.Equal(before, model.Parameters.Values);
    }

    /// <summary>An IRecurrentNetwork that forwards every member but ForwardBackwardMse, so the interface default runs.</summary>
    private sealed class DelegatingNetwork(VanillaRnn inner) : IRecurrentNetwork
    {
        public string Kind => inner.Kind;
        public IRecurrentNetworkOptions NetworkOptions => inner.NetworkOptions;
        public ParameterSet Parameters => inner.Parameters;
        public RecurrentTape CreateTape(int batch, int time) => inner.CreateTape(batch, time);
        public void Forward(ReadOnlySpan<float> inputs, ReadOnlySpan<float> initState, NoiseLevels noise, NoiseStreams streams, RecurrentTape tape) =>
            ((IRecurrentNetwork)inner).Forward(inputs, initState, noise, streams, tape);
        public void Backward(RecurrentTape tape, ReadOnlySpan<float> outputGradient, ParameterSet gradient) =>
            ((IRecurrentNetwork)inner).Backward(tape, outputGradient, gradient);
        public void Encode(ReadOnlySpan<float> initState, int batch, Span<float> hidden) => inner.Encode(initState, batch, hidden);
        public void Simulate(ReadOnlySpan<float> initialHidden, ReadOnlySpan<float> inputs, int batch, int time, float recurrentStd,
            INoiseSource recurrentNoise, Span<float> hidden, Span<float> outputs) =>
            inner.Simulate(initialHidden, inputs, batch, time, recurrentStd, recurrentNoise, hidden, outputs);
    }
}
