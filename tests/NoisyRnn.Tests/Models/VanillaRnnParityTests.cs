using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Reference;
using NoisyRnn.Tests.Fixtures;

namespace NoisyRnn.Tests.Models;

public class VanillaRnnParityTests
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
        var root = ReferenceFixtures.Load("vanilla_relu.json");
        var sizes = root.GetProperty("sizes");
        int batch = sizes.GetProperty("batch").GetInt32(), time = sizes.GetProperty("time").GetInt32();
        var options = new VanillaRnnOptions(sizes.GetProperty("n_in").GetInt32(), sizes.GetProperty("n_rec").GetInt32(),
            sizes.GetProperty("n_out").GetInt32(), sizes.GetProperty("n_init").GetInt32(), Activation.Relu,
            TimeConstant: (float)root.GetProperty("tau").GetDouble(), Dt: (float)root.GetProperty("dt").GetDouble(), UseBias: false);
        Assert.Equal("relu", root.GetProperty("activation").GetString());
        Assert.False(root.GetProperty("bias").GetBoolean());

        var model = new VanillaRnn(options);
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
        var streams = new NoiseStreams(inputDraws, recurrentDraws, outputDraws);

        var tape = model.CreateTape(batch, time);
        model.Forward(ReferenceFixtures.Tensor(root, "inputs").AsFloat(), ReferenceFixtures.Tensor(root, "init_state").AsFloat(), noise, streams, tape);
        Assert.Equal(0, inputDraws.Remaining);
        Assert.Equal(0, recurrentDraws.Remaining);
        Assert.Equal(0, outputDraws.Remaining);

        AssertClose(ReferenceFixtures.Tensor(root, "hidden").Data, tape.Hidden, ForwardRelativeTolerance, ForwardAbsoluteTolerance, "hidden");
        AssertClose(ReferenceFixtures.Tensor(root, "outputs").Data, tape.Outputs, ForwardRelativeTolerance, ForwardAbsoluteTolerance, "outputs");

        // MSE loss (mean over all elements) and dL/dy = 2 (y - target) / count.
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

        // Backward accumulates: a second call doubles every gradient.
        var twice = gradient.Clone();
        model.Backward(tape, dy, twice);
        for (int i = 0; i < twice.Length; i++) Assert.Equal(2 * gradient.Values[i], twice.Values[i], 1e-6f);
    }
}
