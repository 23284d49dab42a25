using NoisyRnn.Reference;
using NoisyRnn.Analysis;
using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Tests.Models;

namespace NoisyRnn.Tests.Analysis;

/// <summary>
/// The quiescence modifiers (<see cref="DynamicsModifiers"/>, docs/replay.md): none gives today's chain bit for bit;
/// each modifier follows its documented recursion on networks small enough to compute by hand.
/// </summary>
public class DynamicsModifierTests
{
    // The recursions below are computed in double while the network runs in float32: a few ulp per step, over 60 steps.
    private const double RecursionTolerance = 1e-5;

    private static IRecurrentNetwork Vanilla() => VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 24, 6, 6, Activation.Tanh), 5);

    private static IRecurrentNetwork Gru() => GruRnn.CreateInitialized(new GruRnnOptions(2, 20, 6, 6, Activation.Tanh, 1f, 0.5f, true), 6);

    public static TheoryData<string> Cells() => new("vanilla", "gru");

    private static IRecurrentNetwork Cell(string kind) => kind == "gru" ? Gru() : Vanilla();

    private static float[] Start(IRecurrentNetwork model, int batch)
    {
        var h0 = new float[batch * model.NetworkOptions.HiddenSize];
        for (int i = 0; i < h0.Length; i++) h0[i] = 0.4f * MathF.Sin(1.3f * i);
        return h0;
    }

    private static float[] Decoded(IRecurrentNetwork model, float[] h0, int batch, int steps, float std, DynamicsModifiers? modifiers)
    {
        int outputs = model.NetworkOptions.OutputSize;
        return Quiescence.Run(model, h0, batch, steps, std, new GaussianNoiseSource(21), (y, d) => y.CopyTo(d), outputs, modifiers);
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void NoModifierGivesTheSimulatedChainBitForBit(string kind)
    {
        var model = Cell(kind);
        int batch = 3, steps = Quiescence.ChunkSteps + 41, outputs = model.NetworkOptions.OutputSize, hidden = model.NetworkOptions.HiddenSize;
        float[] h0 = Start(model, batch);
        // Today's chain: the public Simulate over the whole run (one call, no chunks).
        var expected = new float[batch * steps * outputs];
        var expectedHidden = new float[batch * steps * hidden];
        model.Simulate(h0, ReadOnlySpan<float>.Empty, batch, steps, 0.05f, new GaussianNoiseSource(21), expectedHidden, expected);

        Assert.Equal(expected, Decoded(model, h0, batch, steps, 0.05f, null));
        Assert.Equal(expected, Decoded(model, h0, batch, steps, 0.05f, DynamicsModifiers.None));
        // b = 0 switches adaptation off whatever tau_a; M = 0 is the overdamped chain; the network's own leak is no override.
        Assert.Equal(expected, Decoded(model, h0, batch, steps, 0.05f, new DynamicsModifiers { AdaptationTimeConstant = 3, Momentum = 0 }));
        Assert.Equal(expected, Decoded(model, h0, batch, steps, 0.05f, new DynamicsModifiers { Leak = model.NetworkOptions.Dt / model.NetworkOptions.TimeConstant }));
        Assert.Equal(expectedHidden, HiddenStateReactivation.RunQuiescent(model, h0, batch, steps, 1, 0.05f, new GaussianNoiseSource(21), DynamicsModifiers.None));
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void ModifiedChainsDoNotDependOnTheChunking(string kind)
    {
        // Velocity and adaptation carry over from chunk to chunk: the decoded run (chunks of 100) and the hidden states
        // kept every 7th step (chunks of 98) are the same chain as the hidden states kept at every step.
        var model = Cell(kind);
        var modifiers = new DynamicsModifiers { Momentum = 0.7, Adaptation = 0.4, AdaptationTimeConstant = 5, Leak = 0.3 };
        int batch = 2, steps = 7 * 31, hidden = model.NetworkOptions.HiddenSize;
        float[] h0 = Start(model, batch);
        float[] every = HiddenStateReactivation.RunQuiescent(model, h0, batch, steps, 1, 0.03f, new GaussianNoiseSource(8), modifiers);
        float[] seventh = HiddenStateReactivation.RunQuiescent(model, h0, batch, steps, 7, 0.03f, new GaussianNoiseSource(8), modifiers);
        for (int b = 0; b < batch; b++)
            for (int k = 0; k < steps / 7; k++)
                Assert.Equal(every.AsSpan((b * steps + 7 * k + 6) * hidden, hidden).ToArray(), seventh.AsSpan((b * (steps / 7) + k) * hidden, hidden).ToArray());
        // And the modifiers do change the chain.
        Assert.NotEqual(every, HiddenStateReactivation.RunQuiescent(model, h0, batch, steps, 1, 0.03f, new GaussianNoiseSource(8)));
    }

    [Fact]
    public void LeakOverrideChangesTheDecayFactorOfTheVanillaCell()
    {
        // W_rec = 0 and act(0) = 0: h <- (1 - alpha) h, so the state decays by (1 - leak) per step instead of 0.8.
        var model = new VanillaRnn(new VanillaRnnOptions(1, 3, 3, 3, Activation.Identity, 1f, 0.2f));
        float[] h0 = [1f, -2f, 0.5f];
        foreach (double leak in new[] { 0.05, 0.5 })
        {
            float[] h = HiddenStateReactivation.RunQuiescent(model, h0, 1, 40, 1, 0f, new GaussianNoiseSource(1), new DynamicsModifiers { Leak = leak });
            for (int t = 0; t < 40; t++)
                for (int i = 0; i < 3; i++)
                    Assert.Equal(h0[i] * Math.Pow(1 - leak, t + 1), h[t * 3 + i], RecursionTolerance * Math.Abs(h0[i]));
        }
        // Leak 1 (allowed): the state is act(W_rec h) = 0 after one step.
        float[] one = HiddenStateReactivation.RunQuiescent(model, h0, 1, 2, 1, 0f, new GaussianNoiseSource(1), new DynamicsModifiers { Leak = 1 });
        Assert.All(one, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void LeakOverrideChangesTheDecayFactorOfTheGru()
    {
        // Zero weights: z = sigmoid(0) = 1/2 and act(u) = tanh(0) = 0, so h <- h + alpha (1/2 - 1) h = (1 - alpha/2) h.
        var model = new GruRnn(new GruRnnOptions(1, 2, 2, 2, Activation.Tanh, 1f, 0.5f));
        float[] h0 = [1f, -0.5f];
        const double leak = 0.9;
        float[] h = HiddenStateReactivation.RunQuiescent(model, h0, 1, 30, 1, 0f, new GaussianNoiseSource(1), new DynamicsModifiers { Leak = leak });
        for (int t = 0; t < 30; t++)
            for (int i = 0; i < 2; i++)
                Assert.Equal(h0[i] * Math.Pow(1 - leak / 2, t + 1), h[t * 2 + i], RecursionTolerance);
    }

    [Fact]
    public void AdaptationReducesAConstantResponseAsTheRecursionSays()
    {
        // W_rec = I and act = identity: without adaptation h <- (1 - alpha) h + alpha h = h holds any constant state. With
        // adaptation u = h - a, so h_{n+1} = h_n - alpha a_n and a_{n+1} = (1 - 1/tau) a_n + (b/tau) h_{n+1}, a_0 = 0.
        const int n = 3;
        var model = new VanillaRnn(new VanillaRnnOptions(1, n, n, n, Activation.Identity, 1f, 0.2f));
        var w = model.Parameters[VanillaRnn.RecurrentWeight];
        for (int i = 0; i < n; i++) w[i * n + i] = 1f;
        float[] h0 = [1f, 2f, -1f];
        const double b = 0.5, tau = 8, alpha = 0.2;
        float[] plain = HiddenStateReactivation.RunQuiescent(model, h0, 1, 60, 1, 0f, new GaussianNoiseSource(1));
        float[] adapted = HiddenStateReactivation.RunQuiescent(model, h0, 1, 60, 1, 0f, new GaussianNoiseSource(1),
            new DynamicsModifiers { Adaptation = b, AdaptationTimeConstant = tau });
        for (int i = 0; i < n; i++)
        {
            double h = h0[i], a = 0;
            for (int t = 0; t < 60; t++)
            {
                h -= alpha * a;
                a = (1 - 1 / tau) * a + b / tau * h;
                Assert.Equal(h0[i], plain[t * n + i], RecursionTolerance * Math.Abs(h0[i]));
                Assert.Equal(h, adapted[t * n + i], RecursionTolerance * Math.Abs(h0[i]));
            }
            // The response shrinks: after 60 steps it is well below the constant state.
            Assert.True(Math.Abs(adapted[59 * n + i]) < 0.5 * Math.Abs(h0[i]), $"unit {i}: {adapted[59 * n + i]} vs {h0[i]}");
        }
    }

    [Fact]
    public void AdaptationIsSubtractedFromTheGruCandidate()
    {
        // Zero weights: z = 1/2 and u = -a, so h_{n+1} = h_n - (alpha/2)(h_n - tanh(-a_n)) = h_n - (alpha/2)(h_n + tanh a_n).
        var model = new GruRnn(new GruRnnOptions(1, 2, 2, 2, Activation.Tanh, 1f, 0.5f));
        float[] h0 = [1f, -0.5f];
        const double b = 0.4, tau = 3, alpha = 0.5;
        float[] got = HiddenStateReactivation.RunQuiescent(model, h0, 1, 30, 1, 0f, new GaussianNoiseSource(1),
            new DynamicsModifiers { Adaptation = b, AdaptationTimeConstant = tau });
        for (int i = 0; i < 2; i++)
        {
            double h = h0[i], a = 0;
            for (int t = 0; t < 30; t++)
            {
                h -= alpha / 2 * (h + Math.Tanh(a));
                a = (1 - 1 / tau) * a + b / tau * h;
                Assert.Equal(h, got[t * 2 + i], RecursionTolerance);
            }
        }
    }

    [Fact]
    public void MomentumOnALinearDriftFollowsTheHeavyBallRecursion()
    {
        // act = identity, W_rec = c I: phi(h) = alpha (c - 1) h. Without noise the chain is w_n = M w_{n-1} + (1 + M) phi(h_n),
        // h_{n+1} = h_n + w_n, w_{-1} = 0: an oscillating, decaying approach to 0 for M = 0.8.
        const int n = 2;
        const double alpha = 0.2, c = 0.5, m = 0.8;
        var model = new VanillaRnn(new VanillaRnnOptions(1, n, n, n, Activation.Identity, 1f, (float)alpha));
        var w = model.Parameters[VanillaRnn.RecurrentWeight];
        for (int i = 0; i < n; i++) w[i * n + i] = (float)c;
        float[] h0 = [1f, -3f];
        float[] got = HiddenStateReactivation.RunQuiescent(model, h0, 1, 60, 1, 0f, new GaussianNoiseSource(1), new DynamicsModifiers { Momentum = m });
        bool overshoot = false;
        for (int i = 0; i < n; i++)
        {
            double h = h0[i], v = 0;
            for (int t = 0; t < 60; t++)
            {
                v = m * v + (1 + m) * alpha * (c - 1) * h;
                h += v;
                Assert.Equal(h, got[t * n + i], RecursionTolerance * Math.Abs(h0[i]));
                overshoot |= Math.Sign(h) != Math.Sign(h0[i]);
            }
        }
        Assert.True(overshoot, "an underdamped chain overshoots 0; the overdamped one (h <- 0.9 h) never does");
    }

    [Fact]
    public void MomentumNoiseIsScaledBySqrtOfOneMinusMSquared()
    {
        // Replayed draws make the noise known: on the linear drift above, w_n = M w_{n-1} + (1 + M) phi(h_n) + sqrt(1 - M^2) s xi_n.
        const int n = 2, steps = 25;
        const double alpha = 0.2, c = 0.5, m = 0.6, s = 0.1;
        var model = new VanillaRnn(new VanillaRnnOptions(1, n, n, n, Activation.Identity, 1f, (float)alpha));
        var w = model.Parameters[VanillaRnn.RecurrentWeight];
        for (int i = 0; i < n; i++) w[i * n + i] = (float)c;
        var draws = new float[steps * n];
        for (int i = 0; i < draws.Length; i++) draws[i] = MathF.Cos(2.1f * i);
        float[] h0 = [0.3f, -0.2f];
        float[] got = HiddenStateReactivation.RunQuiescent(model, h0, 1, steps, 1, (float)s, new ReplayNoiseSource(draws, NoiseDistribution.StandardNormal),
            new DynamicsModifiers { Momentum = m });
        for (int i = 0; i < n; i++)
        {
            double h = h0[i], v = 0;
            for (int t = 0; t < steps; t++)
            {
                v = m * v + (1 + m) * alpha * (c - 1) * h + Math.Sqrt(1 - m * m) * s * draws[t * n + i];
                h += v;
                Assert.Equal(h, got[t * n + i], RecursionTolerance);
            }
        }
    }

    [Fact]
    public void MomentumWorksForAnyCellAndLeakAndAdaptationNeedTheCellsSupport()
    {
        // The smallest cell of docs/extending.md has no leak and does not subtract adaptation: those are refused, momentum runs.
        var model = new LinearRnn(new VanillaRnnOptions(1, 2, 2, 2));
        float[] h0 = [1f, 1f];
        var noise = new GaussianNoiseSource(1);
        Assert.Equal("modifiers", Assert.Throws<ArgumentException>(() =>
            HiddenStateReactivation.RunQuiescent(model, h0, 1, 5, 1, 0f, noise, new DynamicsModifiers { Leak = 0.5 })).ParamName);
        Assert.Equal("modifiers", Assert.Throws<ArgumentException>(() =>
            HiddenStateReactivation.RunQuiescent(model, h0, 1, 5, 1, 0f, noise, new DynamicsModifiers { Adaptation = 0.3 })).ParamName);
        Assert.Equal(10, HiddenStateReactivation.RunQuiescent(model, h0, 1, 5, 1, 0f, noise, new DynamicsModifiers { Momentum = 0.5 }).Length);
    }

    [Theory]
    [InlineData("Momentum", 1.0)]
    [InlineData("Momentum", -0.1)]
    [InlineData("Momentum", double.NaN)]
    [InlineData("Adaptation", -0.5)]
    [InlineData("Adaptation", double.PositiveInfinity)]
    [InlineData("AdaptationTimeConstant", 0.5)]
    [InlineData("AdaptationTimeConstant", double.NaN)]
    [InlineData("Leak", 0.0)]
    [InlineData("Leak", 1.5)]
    public void OutOfRangeModifiersNameThePropertyAndItsRange(string property, double value)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => property switch
        {
            "Momentum" => new DynamicsModifiers { Momentum = value },
            "Adaptation" => new DynamicsModifiers { Adaptation = value },
            "AdaptationTimeConstant" => new DynamicsModifiers { AdaptationTimeConstant = value },
            _ => new DynamicsModifiers { Leak = value },
        });
        Assert.Equal(property, e.ParamName);
        Assert.Matches(@"\[0, 1\)|>= 0|>= 1|\(0, 1\]", e.Message);
    }

    [Fact]
    public void NoneIsTheDefaultAndDescribesItself()
    {
        Assert.True(new DynamicsModifiers().IsNone);
        Assert.Equal(DynamicsModifiers.None, new DynamicsModifiers());
        Assert.Equal("none", DynamicsModifiers.None.ToString());
        var m = new DynamicsModifiers { Momentum = 0.8, Adaptation = 0.3, Leak = 1 };
        Assert.False(m.IsNone);
        Assert.Equal("M 0.8, b 0.3 (tau_a 8), leak 1", m.ToString());
    }
}
