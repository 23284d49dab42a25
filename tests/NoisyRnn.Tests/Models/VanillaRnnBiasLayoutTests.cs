using NoisyRnn.Reference;
using System.Text.Json;
using NoisyRnn.Interop;
using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Tests.Fixtures;
using NoisyRnn.Training;

namespace NoisyRnn.Tests.Models;

/// <summary>
/// <see cref="VanillaBiasLayout.AllLayers"/>: the reference's <c>RNN(bias=True)</c>, a bias on the encoder, input,
/// recurrent and readout layers. Parity with a fixture generated from the reference's formulas
/// (tests/fixtures/reference/generated/), one-to-one loading of its tensors, and agreement with the default layout.
/// </summary>
public class VanillaRnnBiasLayoutTests
{
    private const string Fixture = "generated/vanilla_relu_all_biases.json";

    /// <summary>Float32 against the fixture's float64 values: each value is a chain of at most 4 steps of dot products of at
    /// most 7 terms of order 1, so its rounding is a few tens of float32 ulps (2^-24 = 6e-8), about 2e-6 relative; 1e-5
    /// leaves a margin, as the published fixtures' README does.</summary>
    private const double ForwardRelativeTolerance = 1e-5;

    /// <summary>Absolute floor for forward values near zero: rounding of the O(1) terms that cancelled.</summary>
    private const double ForwardAbsoluteTolerance = 1e-6;

    /// <summary>Gradients add those errors over batch·time = 8 rows and back through 4 steps: 1e-4 relative (README).</summary>
    private const double GradientRelativeTolerance = 1e-4;

    /// <summary>Absolute floor for gradient entries near zero (the largest is about 0.9).</summary>
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

    private static VanillaRnnOptions FixtureOptions(JsonElement root)
    {
        var sizes = root.GetProperty("sizes");
        return new VanillaRnnOptions(sizes.GetProperty("n_in").GetInt32(), sizes.GetProperty("n_rec").GetInt32(),
            sizes.GetProperty("n_out").GetInt32(), sizes.GetProperty("n_init").GetInt32(), Activation.Relu,
            TimeConstant: (float)root.GetProperty("tau").GetDouble(), Dt: (float)root.GetProperty("dt").GetDouble(), UseBias: true)
        { BiasLayout = VanillaBiasLayout.AllLayers };
    }

    [Fact]
    public void AllLayerBiasesReproduceTheReferenceFormulas()
    {
        var root = ReferenceFixtures.Load(Fixture);
        Assert.True(root.GetProperty("bias").GetBoolean());
        Assert.Equal("relu", root.GetProperty("activation").GetString());
        var sizes = root.GetProperty("sizes");
        int batch = sizes.GetProperty("batch").GetInt32(), time = sizes.GetProperty("time").GetInt32();
        var model = new VanillaRnn(FixtureOptions(root));

        // One to one: the reference's state_dict names, in its order, with its shapes.
        var names = root.GetProperty("parameters").EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(["encoder.weight", "encoder.bias", "w_in.weight", "w_in.bias", "w_rec.weight", "w_rec.bias", "w_out.weight", "w_out.bias"], names);
        Assert.Equal(names, model.Parameters.Views.Select(v => v.Name));
        foreach (var view in model.Parameters.Views)
        {
            var tensor = ReferenceFixtures.Tensor(root, "parameters", view.Name);
            Assert.Equal(view.Shape, tensor.Shape);
            tensor.AsFloat().CopyTo(model.Parameters[view.Name]);
        }

        var noise = new NoiseLevels((float)root.GetProperty("sigma_in").GetDouble(), (float)root.GetProperty("sigma_rec").GetDouble(),
            (float)root.GetProperty("sigma_out").GetDouble());
        NoiseStreams Streams() => new(
            new ReplayNoiseSource(ReferenceFixtures.Tensor(root, "noise_draws", "input").AsFloat(), NoiseDistribution.Uniform01),
            new ReplayNoiseSource(ReferenceFixtures.Tensor(root, "noise_draws", "recurrent").AsFloat(), NoiseDistribution.Uniform01),
            new ReplayNoiseSource(ReferenceFixtures.Tensor(root, "noise_draws", "output").AsFloat(), NoiseDistribution.StandardNormal));
        float[] inputs = ReferenceFixtures.Tensor(root, "inputs").AsFloat(), initState = ReferenceFixtures.Tensor(root, "init_state").AsFloat();
        float[] targets = ReferenceFixtures.Tensor(root, "targets").AsFloat();

        var tape = model.CreateTape(batch, time);
        model.Forward(inputs, initState, noise, Streams(), tape);
        AssertClose(ReferenceFixtures.Tensor(root, "initial_hidden").Data, tape.InitialHidden, ForwardRelativeTolerance, ForwardAbsoluteTolerance, "h_0");
        AssertClose(ReferenceFixtures.Tensor(root, "hidden").Data, tape.Hidden, ForwardRelativeTolerance, ForwardAbsoluteTolerance, "hidden");
        AssertClose(ReferenceFixtures.Tensor(root, "outputs").Data, tape.Outputs, ForwardRelativeTolerance, ForwardAbsoluteTolerance, "outputs");

        // MSE (mean over all elements), dL/dy = 2 (y - target) / count.
        ReadOnlySpan<float> y = tape.Outputs;
        double loss = 0;
        var dy = new float[y.Length];
        for (int i = 0; i < y.Length; i++)
        {
            double d = y[i] - targets[i];
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
            AssertClose(ReferenceFixtures.Tensor(root, "gradients", view.Name).Data, gradient[view.Name], GradientRelativeTolerance,
                GradientAbsoluteTolerance, view.Name);
        }
        // Both pre-activation biases get the same gradient, as two separate parameters.
        Assert.Equal(gradient[VanillaRnn.RecurrentBias].ToArray(), gradient[VanillaRnn.InputBias].ToArray());
        Assert.Contains(gradient[VanillaRnn.EncoderBias].ToArray(), v => v != 0f);

        // The training pass in one call gives the same loss and gradient.
        var fused = model.Parameters.CloneEmpty();
        double fusedLoss = model.ForwardBackwardMse(inputs, initState, targets, noise, Streams(), model.CreateTape(batch, time), fused);
        Assert.True(Math.Abs(fusedLoss - expectedLoss) <= ForwardRelativeTolerance * expectedLoss, $"fused loss {fusedLoss} vs reference {expectedLoss}");
        foreach (var view in fused.Views)
        {
            AssertClose(ReferenceFixtures.Tensor(root, "gradients", view.Name).Data, fused[view.Name], GradientRelativeTolerance,
                GradientAbsoluteTolerance, "fused " + view.Name);
        }
    }

    [Fact]
    public void AReferenceStateDictFileLoadsOneToOne()
    {
        // A model.safetensors as safetensors.torch.save_file(RNN(bias=True).state_dict()) writes it: the reference's names only.
        var root = ReferenceFixtures.Load(Fixture);
        var tensors = root.GetProperty("parameters").EnumerateObject()
            .Select(p => { var t = ReferenceFixtures.Tensor(p.Value); return new SafeTensor(p.Name, t.AsFloat(), t.Shape); }).ToArray();
        string dir = Directory.CreateTempSubdirectory("reference-state-dict-").FullName;
        try
        {
            string path = Path.Combine(dir, "model.safetensors");
            SafeTensors.Write(path, tensors);
            var model = new VanillaRnn(FixtureOptions(root));
            SafeTensorsModel.LoadParameters(path, model.Parameters);
            foreach (var t in tensors) Assert.Equal(t.Data.ToArray(), model.Parameters[t.Name].ToArray());

            // The default layout has no encoder.bias or w_in.bias: the file names them as unexpected.
            var other = new VanillaRnn(FixtureOptions(root) with { BiasLayout = VanillaBiasLayout.RecurrentReadout });
            var e = Assert.Throws<InvalidDataException>(() => SafeTensorsModel.LoadParameters(path, other.Parameters));
            Assert.Contains("unexpected [encoder.bias, w_in.bias]", e.Message);

            // Saved by NoisyRnn and read back: same names, bits and options (the layout is in the options' JSON).
            string saved = Path.Combine(dir, "saved.safetensors");
            SafeTensorsModel.Save(saved, model);
            var loaded = SafeTensorsModel.Load(saved);
            Assert.Equal(model.Options, loaded.Network.NetworkOptions);
            Assert.Equal(model.Parameters.Values, loaded.Network.Parameters.Values);
            Assert.Contains("\"BiasLayout\":\"AllLayers\"", SafeTensors.Read(saved).Metadata[SafeTensorsModel.NetworkOptionsKey]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    public static TheoryData<Activation, int> EquivalenceCases() => new()
    {
        { Activation.Relu, 2 },   // dW_in and db summed inside the backward loop (narrow inputs)
        { Activation.Tanh, 6 },   // by one product over all rows
        { Activation.Relu, 6 },
    };

    [Theory]
    [MemberData(nameof(EquivalenceCases))]
    public void AllLayersWithOnlyAnInputBiasGivesTheBitsOfTheDefaultLayout(Activation activation, int inputs)
    {
        // Default layout with b_rec = v against AllLayers with b_enc = 0, b_in = v, b_rec = 0: u gets v + 0 = v, the same
        // bits; the gradient of b_rec there equals those of b_in and b_rec here, bit for bit.
        const int batch = 11, time = 6, hidden = 13, outputs = 5;
        var plain = VanillaRnn.CreateInitialized(new VanillaRnnOptions(inputs, hidden, outputs, outputs, activation, UseBias: true), 8);
        var all = new VanillaRnn(plain.Options with { BiasLayout = VanillaBiasLayout.AllLayers });
        foreach (var view in plain.Parameters.Views) plain.Parameters[view.Name].CopyTo(all.Parameters[view.Name]);
        plain.Parameters[VanillaRnn.RecurrentBias].CopyTo(all.Parameters[VanillaRnn.InputBias]);
        all.Parameters[VanillaRnn.RecurrentBias].Clear();

        var rng = new Random(4);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        float[] x = Values(batch * time * inputs), s = Values(batch * outputs), dy = Values(batch * time * outputs);
        var noise = new NoiseLevels(0.02f, 0.05f, 0.01f);
        (VanillaTape Tape, ParameterSet Gradient) Run(VanillaRnn model)
        {
            var tape = model.CreateTape(batch, time);
            model.Forward(x, s, noise, NoiseStreams.FromSeed(3), tape);
            var g = model.Parameters.CloneEmpty();
            model.Backward(tape, dy, g);
            return (tape, g);
        }
        var (plainTape, plainGradient) = Run(plain);
        var (allTape, allGradient) = Run(all);
        Assert.Equal(plainTape.Hidden.ToArray(), allTape.Hidden.ToArray());
        Assert.Equal(plainTape.Outputs.ToArray(), allTape.Outputs.ToArray());
        foreach (var view in plainGradient.Views) Assert.Equal(plainGradient[view.Name].ToArray(), allGradient[view.Name].ToArray());
        Assert.Equal(plainGradient[VanillaRnn.RecurrentBias].ToArray(), allGradient[VanillaRnn.InputBias].ToArray());
        Assert.Equal(allTape.InitialHidden.ToArray(), plainTape.InitialHidden.ToArray());

        // Simulate and Drift add the same pre-activation bias.
        float[] h0 = Values(batch * hidden);
        float[] PlainOrAll(VanillaRnn model, bool drift)
        {
            var result = new float[batch * hidden * (drift ? 1 : time)];
            if (drift) model.Drift(h0, x.AsSpan(0, batch * inputs), batch, result);
            else model.Simulate(h0, default, batch, time, 0.05f, new GaussianNoiseSource(9), result, default);
            return result;
        }
        Assert.Equal(PlainOrAll(plain, drift: false), PlainOrAll(all, drift: false));
        Assert.Equal(PlainOrAll(plain, drift: true), PlainOrAll(all, drift: true));
    }

    [Fact]
    public void EncoderBiasEntersTheInitialStateAndSimulationMatchesForward()
    {
        const int batch = 4, time = 8, hidden = 17, cells = 6;
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, hidden, cells, cells, Activation.Tanh, UseBias: true)
        { BiasLayout = VanillaBiasLayout.AllLayers }, 5);
        var rng = new Random(1);
        float[] s = Enumerable.Range(0, batch * cells).Select(_ => (float)rng.NextDouble()).ToArray();
        float[] x = Enumerable.Range(0, batch * time * 2).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();

        // h_0 = W_enc s + b_enc
        var h0 = new float[batch * hidden];
        model.Encode(s, batch, h0);
        ReadOnlySpan<float> w = model.Parameters[VanillaRnn.EncoderWeight], b = model.Parameters[VanillaRnn.EncoderBias];
        for (int r = 0; r < batch; r++)
        for (int i = 0; i < hidden; i++)
        {
            double sum = b[i];
            for (int j = 0; j < cells; j++) sum += (double)w[i * cells + j] * s[r * cells + j];
            Assert.Equal(sum, h0[r * hidden + i], 1e-6);
        }

        // Driven simulation from Encode equals the noise-free forward pass (same kernels, same order).
        var tape = model.CreateTape(batch, time);
        model.Forward(x, s, NoiseLevels.None, NoiseStreams.FromSeed(0), tape);
        Assert.Equal(h0, tape.InitialHidden.ToArray());
        var hiddenStates = new float[batch * time * hidden];
        var outputs = new float[batch * time * cells];
        model.Simulate(h0, x, batch, time, 0f, new GaussianNoiseSource(1), hiddenStates, outputs);
        for (int i = 0; i < hiddenStates.Length; i++) Assert.Equal(tape.Hidden[i], hiddenStates[i], 1e-6f);
        for (int i = 0; i < outputs.Length; i++) Assert.Equal(tape.Outputs[i], outputs[i], 1e-6f);
    }

    [Fact]
    public void AdamMovesEveryBiasAndACheckpointKeepsTheLayout()
    {
        const int batch = 3, time = 5, cells = 4;
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 6, cells, cells, UseBias: true) { BiasLayout = VanillaBiasLayout.AllLayers }, 2);
        var rng = new Random(6);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble()).ToArray();
        var before = model.Parameters.Clone();
        var gradient = model.Parameters.CloneEmpty();
        model.ForwardBackwardMse(Values(batch * time * 2), Values(batch * cells), Values(batch * time * cells), NoiseLevels.None,
            NoiseStreams.FromSeed(0), model.CreateTape(batch, time), gradient);
        var adam = new Adam(new AdamOptions { LearningRate = 1e-2, WeightDecay = 0.01 }, model.Parameters.Length);
        adam.Step(model.Parameters.Values, gradient.Values);
        foreach (string name in new[] { VanillaRnn.EncoderBias, VanillaRnn.InputBias, VanillaRnn.RecurrentBias, VanillaRnn.OutputBias })
            Assert.NotEqual(before[name].ToArray(), model.Parameters[name].ToArray());

        string dir = Directory.CreateTempSubdirectory("all-biases-checkpoint-").FullName;
        try
        {
            string path = Path.Combine(dir, "model.nrnn");
            Checkpoint.Save(path, model, 1, adam);
            var loaded = Checkpoint.Load(path);
            Assert.Equal(model.Options, loaded.Network.NetworkOptions);
            Assert.Equal(model.Parameters.Values, loaded.Network.Parameters.Values);
            Assert.Equal(adam.FirstMoment.ToArray(), loaded.AdamFirstMoment);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void OptionsNameTheLayoutAndItsParameters()
    {
        var options = new VanillaRnnOptions(2, 5, 3, 4, UseBias: true) { BiasLayout = VanillaBiasLayout.AllLayers };
        var model = VanillaRnn.CreateInitialized(options, 1);
        Assert.Equal([("encoder.weight", "[5, 4]"), ("encoder.bias", "[5]"), ("w_in.weight", "[5, 2]"), ("w_in.bias", "[5]"),
            ("w_rec.weight", "[5, 5]"), ("w_rec.bias", "[5]"), ("w_out.weight", "[3, 5]"), ("w_out.bias", "[3]")],
            model.Parameters.Views.Select(v => (v.Name, v.ShapeText())));
        // nn.Linear's init: every bias within 1/sqrt(fan-in) of its layer.
        Assert.All(model.Parameters[VanillaRnn.EncoderBias].ToArray(), v => Assert.InRange(Math.Abs(v), 0, 1 / Math.Sqrt(4)));
        Assert.All(model.Parameters[VanillaRnn.InputBias].ToArray(), v => Assert.InRange(Math.Abs(v), 0, 1 / Math.Sqrt(2)));
        Assert.Contains(model.Parameters[VanillaRnn.EncoderBias].ToArray(), v => v != 0f);

        // The default layout keeps its parameters (and its initial values), with or without the property spelled out.
        var plain = new VanillaRnnOptions(2, 5, 3, 4, UseBias: true);
        Assert.Equal(VanillaBiasLayout.RecurrentReadout, plain.BiasLayout);
        Assert.Equal(plain, plain with { BiasLayout = VanillaBiasLayout.RecurrentReadout });
        Assert.Equal(VanillaRnn.CreateInitialized(plain, 1).Parameters.Values,
            VanillaRnn.CreateInitialized(plain with { BiasLayout = VanillaBiasLayout.RecurrentReadout }, 1).Parameters.Values);
        Assert.Equal(["encoder.weight", "w_in.weight", "w_rec.weight", "w_rec.bias", "w_out.weight", "w_out.bias"],
            new VanillaRnn(plain).Parameters.Views.Select(v => v.Name));

        Assert.Equal("BiasLayout", Assert.Throws<ArgumentOutOfRangeException>(() => new VanillaRnn(new VanillaRnnOptions(2, 5, 3, 4)
        { BiasLayout = VanillaBiasLayout.AllLayers })).ParamName);
        Assert.Equal("BiasLayout", Assert.Throws<ArgumentOutOfRangeException>(() => new VanillaRnn(new VanillaRnnOptions(2, 5, 3, 4, UseBias: true)
        { BiasLayout = (VanillaBiasLayout)7 })).ParamName);
    }
}
