using NoisyRnn.Kernels;
using NoisyRnn.Models;

namespace NoisyRnn.Tests.Kernels;

/// <summary>
/// ReLU networks' leaky decay drives silent units' states into subnormal floats, and .NET cannot set flush-to-zero.
/// The fused leaky update flushes results below float's smallest normal to 0 (SIMD and scalar twin alike); the GEMM and
/// the other kernels keep subnormals. These tests pin down that a subnormal-heavy state computes what the flushed state
/// computes, up to the subnormals themselves, without NaN.
/// </summary>
public class SubnormalTests
{
    /// <summary>A subnormal state, well below float.MinNormal (1.17549435e-38) but far from 0.</summary>
    private const float Tiny = 1e-40f;

    /// <summary>What keeping instead of flushing can change: at most the subnormal magnitude (times alpha ≤ 1) per element.</summary>
    private const float FlushTolerance = 2 * Tiny;

    private static float[] Random(int n, int seed)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    public static TheoryData<IsaTier> AllTiers() => PackedGemmTests.AllTiers();

    [Theory]
    [MemberData(nameof(AllTiers))]
    public void LeakyUpdateOfSubnormalStateMatchesFlushedState(IsaTier tier)
    {
        const int n = 3 * 16 + 5;
        var previous = new float[n];
        Array.Fill(previous, Tiny);
        for (int i = 0; i < n; i += 3) previous[i] = -Tiny;
        float[] u = Random(n, 1), xi = Random(n, 2);
        for (int i = 0; i < n; i += 2) u[i] = -Math.Abs(u[i]) * 1e-39f; // silent units: ReLU gives 0, the state only decays
        var flushed = new float[n];
        foreach (bool noise in new[] { false, true })
        {
            var kept = new float[n];
            var expected = new float[n];
            var scalar = new float[n];
            ReadOnlySpan<float> draws = noise ? xi : default;
            Fused.LeakyUpdate(previous, u, draws, 0.2f, 0.01f, Activation.Relu, kept, tier);
            Fused.LeakyUpdate(flushed, u, draws, 0.2f, 0.01f, Activation.Relu, expected, tier);
            FusedScalar.LeakyUpdate(previous, u, draws, 0.2f, 0.01f, Activation.Relu, scalar);
            for (int i = 0; i < n; i++)
            {
                Assert.True(float.IsFinite(kept[i]), $"element {i} is {kept[i]}");
                Assert.True(Math.Abs(kept[i] - expected[i]) <= FlushTolerance, $"noise={noise} element {i}: {kept[i]} vs flushed {expected[i]}");
                Assert.Equal(BitConverter.SingleToInt32Bits(scalar[i]), BitConverter.SingleToInt32Bits(kept[i]));
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllTiers))]
    public void LeakyUpdateFlushesSubnormalResultsAndKeepsEverythingElse(IsaTier tier)
    {
        float[] previous = { Tiny, -Tiny, 1e-30f, -1e-30f, 1f, float.NaN, 0f, -0f, 2e-38f, 1.5e-38f, Fused.MinNormal, float.Epsilon };
        int n = previous.Length;
        var u = new float[n]; // ReLU(0) = 0: next = 0.8·previous exactly rounded
        var next = new float[n];
        Fused.LeakyUpdate(previous, u, default, 0.2f, 0f, Activation.Relu, next, tier);
        for (int i = 0; i < n; i++)
        {
            float unflushed = previous[i] * 0.8f;
            if (float.IsNaN(unflushed)) Assert.True(float.IsNaN(next[i]));
            else if (Math.Abs(unflushed) < Fused.MinNormal) Assert.Equal(0, BitConverter.SingleToInt32Bits(next[i]));
            else Assert.Equal(unflushed, next[i]);
        }
    }

    [Theory]
    [MemberData(nameof(AllTiers))]
    public void ActivationBackwardOfSubnormalGradientIsFinite(IsaTier tier)
    {
        const int n = 2 * 16 + 3;
        var dh = new float[n];
        Array.Fill(dh, Tiny);
        float[] u = Random(n, 3);
        var du = new float[n];
        Fused.ActivationBackward(dh, u, 0.2f, Activation.Relu, du, tier);
        for (int i = 0; i < n; i++)
        {
            Assert.True(float.IsFinite(du[i]));
            Assert.True(Math.Abs(du[i]) <= FlushTolerance);
        }
    }

    [Theory]
    [MemberData(nameof(AllTiers))]
    public void ProductOfSubnormalStateMatchesFlushedState(IsaTier tier)
    {
        const int m = 19, n = 45, k = 70;
        var a = new float[m * k];
        Array.Fill(a, Tiny);
        float[] b = Random(k * n, 4), c0 = Random(m * n, 5);
        var kept = (float[])c0.Clone();
        var flushed = (float[])c0.Clone();
        Gemm.MultiplyStrided(a, k, false, b, n, kept, n, m, n, k, true, tier, 2);
        Gemm.MultiplyStrided(new float[m * k], k, false, b, n, flushed, n, m, n, k, true, tier, 2);
        for (int i = 0; i < kept.Length; i++)
        {
            Assert.True(float.IsFinite(kept[i]));
            // The subnormal sum (at most k·Tiny·|b|) is far below half an ulp of any C of order 1e-6 or more.
            Assert.True(Math.Abs(kept[i] - flushed[i]) <= k * FlushTolerance + 1e-7f * Math.Abs(flushed[i]), $"element {i}");
        }
    }

    [Fact]
    public void VanillaRnnWithSubnormalInitialStateRunsFiniteAndClose()
    {
        var options = new VanillaRnnOptions(2, 24, 5, 5);
        var model = VanillaRnn.CreateInitialized(options, 1);
        const int batch = 3, time = 40;
        var initial = new float[batch * 24];
        Array.Fill(initial, Tiny);
        var inputs = new float[batch * time * 2]; // no input: the state decays toward 0 through subnormals
        var kept = new float[batch * time * 24];
        var flushed = new float[batch * time * 24];
        var none = new NoisyRnn.Noise.GaussianNoiseSource(1);
        model.Simulate(initial, inputs, batch, time, 0f, none, kept, default);
        model.Simulate(new float[batch * 24], inputs, batch, time, 0f, none, flushed, default);
        for (int i = 0; i < kept.Length; i++)
        {
            Assert.True(float.IsFinite(kept[i]));
            Assert.True(Math.Abs(kept[i] - flushed[i]) <= FlushTolerance, $"element {i}: {kept[i]} vs {flushed[i]}");
        }
    }
}
