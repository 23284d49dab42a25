using System.Text.Json;
using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Tests.Fixtures;
using NoisyRnn.Training;

namespace NoisyRnn.Tests.Training;

public class AdamTests
{
    // Five float32 Adam steps through a float32 RNN: rounding differences of ~1e-7 per op accumulate to ~1e-6.
    private const double ParameterTolerance = 2e-5;
    private const double LossRelativeTolerance = 1e-5;

    private static readonly string[] Names = ["encoder.weight", "w_in.weight", "w_rec.weight", "w_out.weight"];

    [Fact]
    public void FiveStepsMatchTorchOptimAdamWithCoupledWeightDecay()
    {
        JsonElement root = ReferenceFixtures.Load("adam_steps.json");
        var sizes = root.GetProperty("sizes");
        int batch = sizes.GetProperty("batch").GetInt32(), time = sizes.GetProperty("time").GetInt32();
        var options = new VanillaRnnOptions(sizes.GetProperty("n_in").GetInt32(), sizes.GetProperty("n_rec").GetInt32(),
            sizes.GetProperty("n_out").GetInt32(), sizes.GetProperty("n_init").GetInt32(), Activation.Relu,
            (float)root.GetProperty("tau").GetDouble(), (float)root.GetProperty("dt").GetDouble());
        var model = new VanillaRnn(options);
        foreach (string name in Names)
            ReferenceFixtures.Tensor(root, "initial_parameters", name).AsFloat().CopyTo(model.Parameters[name]);
        float[] inputs = ReferenceFixtures.Tensor(root, "inputs").AsFloat();
        float[] init = ReferenceFixtures.Tensor(root, "init_state").AsFloat();
        float[] targets = ReferenceFixtures.Tensor(root, "targets").AsFloat();
        var betas = ReferenceFixtures.Doubles(root.GetProperty("betas"));
        var adam = new Adam(new AdamOptions
        {
            LearningRate = root.GetProperty("lr").GetDouble(), Beta1 = betas[0], Beta2 = betas[1],
            Epsilon = root.GetProperty("eps").GetDouble(), WeightDecay = root.GetProperty("weight_decay").GetDouble(),
        }, model.Parameters.Length);

        var tape = model.CreateTape(batch, time);
        var grad = model.Parameters.CloneEmpty();
        var dOut = new float[targets.Length];
        int k = 0;
        foreach (JsonElement step in root.GetProperty("steps").EnumerateArray())
        {
            model.Forward(inputs, init, NoiseLevels.None, NoiseStreams.FromSeed(0), tape);
            double loss = MseLoss.Compute(tape.Outputs, targets, dOut);
            double expectedLoss = step.GetProperty("loss_before_step").GetDouble();
            Assert.True(Math.Abs(loss - expectedLoss) <= LossRelativeTolerance * expectedLoss, $"step {k}: loss {loss} vs {expectedLoss}");
            Array.Clear(grad.Values);
            model.Backward(tape, dOut, grad);
            adam.Step(model.Parameters.Values, grad.Values);
            foreach (string name in Names)
            {
                float[] expected = ReferenceFixtures.Tensor(step.GetProperty("parameters_after"), name).AsFloat();
                var actual = model.Parameters[name].ToArray();
                for (int i = 0; i < expected.Length; i++)
                    Assert.True(Math.Abs(actual[i] - expected[i]) <= ParameterTolerance, $"step {k} {name}[{i}]: {actual[i]} vs {expected[i]}");
            }
            k++;
        }
        Assert.Equal(5, k);
        Assert.Equal(5, adam.StepCount);
    }

    [Fact]
    public void SingleStepMatchesTheClosedForm()
    {
        // First step with zero moments: m = (1-b1) g, v = (1-b2) g^2, so the update is lr * g / (|g| + eps*sqrt(1-b2)...) ~ lr * sign(g).
        var adam = new Adam(new AdamOptions { LearningRate = 0.1 }, 3);
        var p = new float[] { 1f, -2f, 0.5f };
        var g = new float[] { 0.3f, -4f, 0f };
        adam.Step(p, g);
        Assert.Equal(1f - 0.1f, p[0], 5);
        Assert.Equal(-2f + 0.1f, p[1], 5);
        Assert.Equal(0.5f, p[2]);
    }

    [Fact]
    public void OptionsAndLengthsAreValidated()
    {
        Assert.Equal("LearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(new AdamOptions { LearningRate = 0 }, 3)).ParamName);
        Assert.Equal("Beta1", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(new AdamOptions { Beta1 = 1 }, 3)).ParamName);
        Assert.Equal("WeightDecay", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(new AdamOptions { WeightDecay = -1 }, 3)).ParamName);
        Assert.Equal("parameterCount", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(new AdamOptions(), 0)).ParamName);
        var adam = new Adam(new AdamOptions(), 3);
        Assert.Equal("gradients", Assert.Throws<ArgumentException>(() => adam.Step(new float[3], new float[2])).ParamName);
    }

    [Fact]
    public void ARestoredStepCountThatCannotBeIncrementedIsRejectedInsteadOfTurningTheParametersIntoNaN()
    {
        // long.MaxValue used to be accepted; the next Step wrapped the counter to long.MinValue, the bias corrections
        // became infinite and NaN, and every parameter silently became NaN.
        var adam = new Adam(new AdamOptions(), 3);
        Assert.Equal("stepCount", Assert.Throws<ArgumentOutOfRangeException>(() => adam.RestoreStepCount(long.MaxValue)).ParamName);
        Assert.Equal(0, adam.StepCount);
        adam.RestoreStepCount(long.MaxValue - 1);
        var p = new float[] { 1f, -2f, 0.5f };
        adam.Step(p, new float[] { 0.3f, -4f, 0f });
        Assert.Equal(long.MaxValue, adam.StepCount);
        Assert.All(p, v => Assert.True(float.IsFinite(v)));
        // One more step cannot be counted: refused, nothing updated.
        float[] before = (float[])p.Clone();
        Assert.Throws<InvalidOperationException>(() => adam.Step(p, new float[] { 0.3f, -4f, 0f }));
        Assert.Equal(before, p);
        Assert.Equal(long.MaxValue, adam.StepCount);
    }

    [Fact]
    public void MseLossMatchesItsDefinitionAndGradient()
    {
        var y = new float[] { 1, 2, 3, 4 };
        var t = new float[] { 0, 2, 5, 4 };
        var g = new float[4];
        double loss = MseLoss.Compute(y, t, g);
        Assert.Equal((1 + 0 + 4 + 0) / 4.0, loss, 12);
        Assert.Equal(new float[] { 0.5f, 0f, -1f, 0f }, g);
        Assert.Equal("targets", Assert.Throws<ArgumentException>(() => MseLoss.Compute(y, new float[3], Span<float>.Empty)).ParamName);
    }
}
