using NoisyRnn.Kernels;
using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Reference;
using NoisyRnn.Tests.Fixtures;

namespace NoisyRnn.Tests.Models;

public class GruRnnTests
{
    /// <summary>README of the fixtures: float32 forward values agree to about 1e-5 relative.</summary>
    private const double ForwardRelativeTolerance = 1e-5;

    /// <summary>Absolute floor for values near zero (float32 rounding of O(1) sums).</summary>
    private const double ForwardAbsoluteTolerance = 1e-6;

    /// <summary>README: gradients sum over time and batch, so 1e-4 relative.</summary>
    private const double GradientRelativeTolerance = 1e-4;

    /// <summary>Absolute floor for gradient entries near zero.</summary>
    private const double GradientAbsoluteTolerance = 1e-6;

    private static void AssertClose(double[] expected, ReadOnlySpan<float> actual, double rel, double abs, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs(expected[i] - actual[i]);
            Assert.True(diff <= abs + rel * Math.Abs(expected[i]), $"{what}[{i}]: expected {expected[i]}, got {actual[i]} (diff {diff})");
        }
    }

    [Fact]
    public void ForwardAndBackwardReproduceTheReference()
    {
        var root = ReferenceFixtures.Load("gru_tanh.json");
        Assert.Equal("gru", root.GetProperty("model").GetString());
        Assert.Equal("tanh", root.GetProperty("activation").GetString());
        Assert.False(root.GetProperty("bias").GetBoolean());
        var sizes = root.GetProperty("sizes");
        int batch = sizes.GetProperty("batch").GetInt32(), time = sizes.GetProperty("time").GetInt32();
        var options = new GruRnnOptions(sizes.GetProperty("n_in").GetInt32(), sizes.GetProperty("n_rec").GetInt32(),
            sizes.GetProperty("n_out").GetInt32(), sizes.GetProperty("n_init").GetInt32(), Activation.Tanh,
            TimeConstant: (float)root.GetProperty("tau").GetDouble(), Dt: (float)root.GetProperty("dt").GetDouble());
        var model = new GruRnn(options);
        var fixtureNames = root.GetProperty("parameters").EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(fixtureNames.OrderBy(n => n), model.Parameters.Views.Select(v => v.Name).OrderBy(n => n));
        foreach (var view in model.Parameters.Views)
        {
            var tensor = ReferenceFixtures.Tensor(root, "parameters", view.Name);
            Assert.Equal(view.Shape, tensor.Shape);
            tensor.AsFloat().CopyTo(model.Parameters[view.Name]);
        }

        var noise = new NoiseLevels((float)root.GetProperty("sigma_in").GetDouble(), (float)root.GetProperty("sigma_rec").GetDouble(),
            (float)root.GetProperty("sigma_out").GetDouble());
        var inputDraws = new ReplayNoiseSource(ReferenceFixtures.Tensor(root, "noise_draws", "input").AsFloat(), NoiseDistribution.Uniform01);
        var recurrentDraws = new ReplayNoiseSource(ReferenceFixtures.Tensor(root, "noise_draws", "recurrent").AsFloat(), NoiseDistribution.Uniform01);
        var outputDraws = new ReplayNoiseSource(ReferenceFixtures.Tensor(root, "noise_draws", "output").AsFloat(), NoiseDistribution.StandardNormal);
        var tape = model.CreateTape(batch, time);
        model.Forward(ReferenceFixtures.Tensor(root, "inputs").AsFloat(), ReferenceFixtures.Tensor(root, "init_state").AsFloat(), noise,
            new NoiseStreams(inputDraws, recurrentDraws, outputDraws), tape);
        Assert.Equal(0, inputDraws.Remaining + recurrentDraws.Remaining + outputDraws.Remaining);

        AssertClose(ReferenceFixtures.Tensor(root, "hidden").Data, tape.Hidden, ForwardRelativeTolerance, ForwardAbsoluteTolerance, "hidden");
        AssertClose(ReferenceFixtures.Tensor(root, "outputs").Data, tape.Outputs, ForwardRelativeTolerance, ForwardAbsoluteTolerance, "outputs");

        float[] target = ReferenceFixtures.Tensor(root, "targets").AsFloat();
        ReadOnlySpan<float> y = tape.Outputs;
        double loss = 0;
        var dy = new float[y.Length];
        for (int i = 0; i < y.Length; i++)
        {
            double d = y[i] - target[i];
            loss += d * d;
            dy[i] = (float)(2 * d / y.Length);
        }
        loss /= y.Length;
        double expectedLoss = root.GetProperty("loss_mse").GetDouble();
        Assert.True(Math.Abs(loss - expectedLoss) <= ForwardRelativeTolerance * expectedLoss, $"loss {loss} vs reference {expectedLoss}");

        var gradient = model.Parameters.CloneEmpty();
        model.Backward(tape, dy, gradient);
        foreach (var view in gradient.Views)
        {
            AssertClose(ReferenceFixtures.Tensor(root, "gradients", view.Name).Data, gradient[view.Name],
                GradientRelativeTolerance, GradientAbsoluteTolerance, view.Name);
        }

        // Backward accumulates; the interface path gives the same numbers.
        var twice = gradient.Clone();
        ((IRecurrentNetwork)model).Backward(tape, dy, twice);
        for (int i = 0; i < twice.Length; i++) Assert.Equal(2 * gradient.Values[i], twice.Values[i], 1e-6f);
    }

    private const int Batch = 3, Time = 5, Hidden = 7, Input = 2, Output = 5, Init = 5;

    /// <summary>Central-difference step: balances float32 rounding of the loss against truncation.</summary>
    private const float Epsilon = 2e-3f;

    /// <summary>Float32 rounding of the loss divided by 2·eps (as in the vanilla check).</summary>
    private const double FdAbsoluteTolerance = 5e-4;

    /// <summary>Truncation error O(eps²·f''') of the central difference, relative to the slope.</summary>
    private const double FdRelativeTolerance = 1e-3;

    private static float[] Random(int n, Random rng, double scale)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        return x;
    }

    public static TheoryData<Activation, bool> Cases()
    {
        var data = new TheoryData<Activation, bool>();
        foreach (Activation a in Enum.GetValues<Activation>()) data.Add(a, a == Activation.Tanh || a == Activation.Sigmoid);
        data.Add(Activation.Tanh, false);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardMatchesCentralDifferences(Activation activation, bool bias)
    {
        var rng = new Random(31 + (int)activation);
        var model = GruRnn.CreateInitialized(new GruRnnOptions(Input, Hidden, Output, Init, activation, 1f, 0.5f, bias), 5);
        foreach (string name in new[] { GruRnn.UpdateRecurrentWeight, GruRnn.ResetRecurrentWeight, GruRnn.CandidateRecurrentWeight })
        {
            var w = model.Parameters[name];
            for (int i = 0; i < w.Length; i++) w[i] *= 2f;
        }
        float[] x = Random(Batch * Time * Input, rng, 1), s = Random(Batch * Init, rng, 1), weights = Random(Batch * Time * Output, rng, 1);
        float[] xin = Random(Batch * Time * Input, rng, 1), xrec = Random(Batch * Time * Hidden, rng, 1), xout = Random(Batch * Time * Output, rng, 1);
        var noise = new NoiseLevels(0.05f, 0.1f, 0.02f);
        var tape = model.CreateTape(Batch, Time);
        double Loss()
        {
            var streams = new NoiseStreams(new ReplayNoiseSource(xin, NoiseDistribution.StandardNormal),
                new ReplayNoiseSource(xrec, NoiseDistribution.StandardNormal), new ReplayNoiseSource(xout, NoiseDistribution.StandardNormal));
            model.Forward(x, s, noise, streams, tape);
            double l = 0;
            for (int i = 0; i < weights.Length; i++) l += (double)weights[i] * tape.Outputs[i];
            return l;
        }
        bool[] Signs() => tape.CandidatePreActivations.ToArray().Select(v => v > 0).ToArray();

        Loss();
        bool[] baseSigns = Signs();
        var gradient = model.Parameters.CloneEmpty();
        model.Backward(tape, weights, gradient);
        float[] theta = model.Parameters.Values;
        int checkedCount = 0;
        for (int i = 0; i < theta.Length; i++)
        {
            float original = theta[i];
            theta[i] = original + Epsilon;
            double plus = Loss();
            bool plusSame = Signs().SequenceEqual(baseSigns);
            theta[i] = original - Epsilon;
            double minus = Loss();
            bool minusSame = Signs().SequenceEqual(baseSigns);
            theta[i] = original;
            if (activation == Activation.Relu && !(plusSame && minusSame)) continue;
            double numeric = (plus - minus) / ((double)(original + Epsilon) - (double)(original - Epsilon));
            double analytic = gradient.Values[i];
            var view = model.Parameters.Views.Last(v => v.Offset <= i);
            Assert.True(Math.Abs(numeric - analytic) <= FdAbsoluteTolerance + FdRelativeTolerance * Math.Abs(analytic),
                $"{activation} bias={bias} {view.Name}[{i - view.Offset}]: numeric {numeric}, backward {analytic}");
            checkedCount++;
        }
        Assert.True(checkedCount > theta.Length * 3 / 4, $"only {checkedCount} of {theta.Length} directions were smooth");
    }

    [Fact]
    public void SimulateMatchesForwardWithoutNoise()
    {
        var rng = new Random(3);
        var model = GruRnn.CreateInitialized(new GruRnnOptions(Input, Hidden, Output, Init, UseBias: true), 9);
        float[] x = Random(Batch * Time * Input, rng, 1), s = Random(Batch * Init, rng, 1);
        var tape = model.CreateTape(Batch, Time);
        model.Forward(x, s, NoiseLevels.None, NoiseStreams.FromSeed(1), tape);
        var h0 = new float[Batch * Hidden];
        model.Encode(s, Batch, h0);
        Assert.Equal(tape.InitialHidden.ToArray(), h0);
        var hidden = new float[Batch * Time * Hidden];
        var outputs = new float[Batch * Time * Output];
        model.Simulate(h0, x, Batch, Time, 0f, new GaussianNoiseSource(1), hidden, outputs);
        for (int i = 0; i < hidden.Length; i++) Assert.Equal(tape.Hidden[i], hidden[i], 1e-5f);
        for (int i = 0; i < outputs.Length; i++) Assert.Equal(tape.Outputs[i], outputs[i], 1e-5f);
    }

    [Fact]
    public void KernelsMatchTheirScalarTwins()
    {
        var rng = new Random(4);
        foreach (Activation a in Enum.GetValues<Activation>())
        {
            foreach (int n in new[] { 0, 1, 3, 4, 7, 8, 15, 16, 17, 33, 300 })
            {
                float[] p = Random(n, rng, 2), z = Random(n, rng, 1).Select(v => 0.5f + 0.4f * v).ToArray(), u = Random(n, rng, 2), xi = Random(n, rng, 1);
                float[] fast = new float[n], slow = new float[n];
                FusedGru.Update(p, z, u, xi, 0.3f, 0.1f, a, fast);
                FusedGruScalar.Update(p, z, u, xi, 0.3f, 0.1f, a, slow);
                for (int i = 0; i < n; i++) Assert.Equal(slow[i], fast[i], 1e-5f);

                float[] g = Random(n, rng, 1);
                float[] dz1 = new float[n], du1 = new float[n], dp1 = Random(n, rng, 1), dz2 = new float[n], du2 = new float[n], dp2 = (float[])dp1.Clone();
                FusedGru.UpdateBackward(g, p, z, u, 0.3f, a, dz1, du1, dp1);
                FusedGruScalar.UpdateBackward(g, p, z, u, 0.3f, a, dz2, du2, dp2);
                for (int i = 0; i < n; i++)
                {
                    Assert.Equal(dz2[i], dz1[i], 1e-5f);
                    Assert.Equal(du2[i], du1[i], 1e-5f);
                    Assert.Equal(dp2[i], dp1[i], 1e-5f);
                }
                float[] dr1 = new float[n], dr2 = new float[n];
                FusedGru.ResetBackward(g, p, z, dr1, dp1);
                FusedGruScalar.ResetBackward(g, p, z, dr2, dp2);
                for (int i = 0; i < n; i++)
                {
                    Assert.Equal(dr2[i], dr1[i], 1e-5f);
                    Assert.Equal(dp2[i], dp1[i], 1e-5f);
                }
            }
        }
    }

    [Fact]
    public void UpdateKernelWorksInPlaceAndChecksLengths()
    {
        var rng = new Random(8);
        foreach (int n in new[] { 5, 19, 40 })
        {
            float[] p = Random(n, rng, 1), z = Random(n, rng, 1).Select(v => 0.5f + 0.4f * v).ToArray(), u = Random(n, rng, 1);
            float[] expected = new float[n];
            FusedGru.Update(p, z, u, default, 0.5f, 0f, Activation.Tanh, expected);
            float[] inPlace = (float[])p.Clone();
            FusedGru.Update(inPlace, z, u, default, 0.5f, 0f, Activation.Tanh, inPlace);
            Assert.Equal(expected, inPlace);
        }
        Assert.Equal("updateGate", Assert.Throws<ArgumentException>(() => FusedGru.Update(new float[3], new float[2], new float[3], default, 0.5f, 0f, Activation.Tanh, new float[3])).ParamName);
        Assert.Equal("noise", Assert.Throws<ArgumentException>(() => FusedGruScalar.Update(new float[3], new float[3], new float[3], new float[2], 0.5f, 0f, Activation.Tanh, new float[3])).ParamName);
        Assert.Equal("previousGradient", Assert.Throws<ArgumentException>(() => FusedGru.ResetBackward(new float[3], new float[3], new float[3], new float[3], new float[4])).ParamName);
    }

    [Fact]
    public void BadInputsAreRejectedWithTheParameterName()
    {
        Assert.Equal("HiddenSize", Assert.Throws<ArgumentOutOfRangeException>(() => new GruRnn(new GruRnnOptions(1, 0, 2, 2))).ParamName);
        Assert.Equal("Dt", Assert.Throws<ArgumentOutOfRangeException>(() => new GruRnn(new GruRnnOptions(1, 3, 2, 2, Dt: 2f))).ParamName);
        Assert.Equal("Activation", Assert.Throws<ArgumentOutOfRangeException>(() => new GruRnn(new GruRnnOptions(1, 3, 2, 2, (Activation)99))).ParamName);
        var model = GruRnn.CreateInitialized(new GruRnnOptions(1, 3, 2, 2), 1);
        var tape = model.CreateTape(2, 4);
        var streams = NoiseStreams.FromSeed(1);
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => model.Forward(new float[7], new float[4], NoiseLevels.None, streams, tape)).ParamName);
        Assert.Equal("initState", Assert.Throws<ArgumentException>(() => model.Forward(new float[8], new float[3], NoiseLevels.None, streams, tape)).ParamName);
        var nan = new float[8];
        nan[3] = float.NaN;
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => model.Forward(nan, new float[4], NoiseLevels.None, streams, tape)).ParamName);
        Assert.Equal("tape", Assert.Throws<ArgumentException>(() => model.Backward(tape, new float[16], model.Parameters.CloneEmpty())).ParamName);
        var vanillaTape = VanillaRnn.CreateInitialized(new VanillaRnnOptions(1, 3, 2, 2), 1).CreateTape(2, 4);
        Assert.Equal("tape", Assert.Throws<ArgumentException>(() => ((IRecurrentNetwork)model).Forward(new float[8], new float[4], NoiseLevels.None, streams, vanillaTape)).ParamName);
        model.Forward(new float[8], new float[4], NoiseLevels.None, streams, tape);
        Assert.Equal("outputGradient", Assert.Throws<ArgumentException>(() => model.Backward(tape, new float[15], model.Parameters.CloneEmpty())).ParamName);
        Assert.Equal("gradient", Assert.Throws<ArgumentException>(() => model.Backward(tape, new float[16], new ParameterSet([("x", new[] { 1 })]))).ParamName);
        Assert.Equal("batch", Assert.Throws<ArgumentOutOfRangeException>(() => model.CreateTape(0, 4)).ParamName);
        Assert.Equal("recurrentStd", Assert.Throws<ArgumentOutOfRangeException>(() => model.Simulate(new float[3], default, 1, 2, -1f, new GaussianNoiseSource(1), default, default)).ParamName);
        Assert.Equal("initialHidden", Assert.Throws<ArgumentException>(() => model.Simulate(new float[2], default, 1, 2, 0f, new GaussianNoiseSource(1), default, default)).ParamName);
    }

    [Fact]
    public void SimulationReportsDivergence()
    {
        var model = GruRnn.CreateInitialized(new GruRnnOptions(1, 3, 2, 2, Activation.Identity, Dt: 1f), 1);
        var e = Assert.Throws<SimulationDivergedException>(() => model.Simulate(new float[] { 1e38f, 1e38f, 1e38f }, default, 1, 50, 1e38f, new GaussianNoiseSource(1), default, default));
        Assert.InRange(e.Step, 0, 49);
    }
}
