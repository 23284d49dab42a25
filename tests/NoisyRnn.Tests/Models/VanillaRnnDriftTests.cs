using NoisyRnn.Models;
using NoisyRnn.Noise;

namespace NoisyRnn.Tests.Models;

public class VanillaRnnDriftTests
{
    // Drift computes alpha·(act(u) − h); Simulate computes (1 − alpha)·h + alpha·act(u) with FMA and its own GEMM order.
    // The two agree to a few float32 ulps of |h| + |act(u)| (values of order 1 here).
    private const float Rounding = 2e-6f;

    private static float[] Random(int n, int seed, double scale = 1)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        return x;
    }

    [Theory]
    [InlineData(Activation.Relu, false)]
    [InlineData(Activation.Tanh, true)]
    [InlineData(Activation.Sigmoid, true)]
    public void DriftIsTheNoiseFreeUpdateOfOneSimulatedStep(Activation activation, bool bias)
    {
        const int batch = 5, hidden = 21, input = 3;
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(input, hidden, 4, 4, activation, 1f, 0.5f, bias), 2);
        float[] h = Random(batch * hidden, 1);
        float[] x = Random(batch * input, 2);
        foreach (bool withInput in new[] { false, true })
        {
            var next = new float[batch * hidden];
            model.Simulate(h, withInput ? x : ReadOnlySpan<float>.Empty, batch, 1, 0f, new GaussianNoiseSource(0), next, Span<float>.Empty);
            var drift = new float[batch * hidden];
            model.Drift(h, withInput ? x : ReadOnlySpan<float>.Empty, batch, drift);
            for (int i = 0; i < drift.Length; i++) Assert.Equal(next[i] - h[i], drift[i], Rounding);
        }

        // Empty input means zero input.
        var zero = new float[batch * hidden];
        var empty = new float[batch * hidden];
        model.Drift(h, new float[batch * input], batch, zero);
        model.Drift(h, ReadOnlySpan<float>.Empty, batch, empty);
        Assert.Equal(empty, zero);
    }

    [Fact]
    public void BadArgumentsNameTheParameter()
    {
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 4, 3, 3), 1);
        Assert.Equal("batch", Assert.Throws<ArgumentOutOfRangeException>(() => model.Drift(new float[4], [], 0, new float[4])).ParamName);
        Assert.Equal("hidden", Assert.Throws<ArgumentException>(() => model.Drift(new float[5], [], 1, new float[4])).ParamName);
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => model.Drift(new float[4], new float[3], 1, new float[4])).ParamName);
        Assert.Equal("drift", Assert.Throws<ArgumentException>(() => model.Drift(new float[4], [], 1, new float[3])).ParamName);
        Assert.Equal("hidden", Assert.Throws<ArgumentException>(() => model.Drift([0, float.NaN, 0, 0], [], 1, new float[4])).ParamName);
    }
}
